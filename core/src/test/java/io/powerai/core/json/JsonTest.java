package io.powerai.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @TempDir
    Path dir;

    private static Map<String, Object> unsortedNested() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(Map.of("y", true), 2.5));
        Map<String, Object> deeper = new LinkedHashMap<>();
        deeper.put("m", "x");
        deeper.put("b", inner);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("zeta", deeper);
        top.put("alpha", "é \"q\"");
        return top;
    }

    @Test
    void canonical_sortsKeysAtEveryLevelWithoutWhitespace() {
        assertThat(Json.canonical(unsortedNested()))
                .isEqualTo("{\"alpha\":\"é \\\"q\\\"\",\"zeta\":{\"b\":{\"a\":[{\"y\":true},2.5],\"z\":1},\"m\":\"x\"}}");
    }

    @Test
    void canonical_sortsKeysOfMapsInsideLists() {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("b", 1);
        item.put("a", 2);

        assertThat(Json.canonical(List.of(item))).isEqualTo("[{\"a\":2,\"b\":1}]");
    }

    @Test
    void canonicalBytes_sameContentInAnotherInsertionOrder_areEqual() {
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("alpha", "é \"q\"");
        reordered.put("zeta", Map.of("m", "x", "b", Map.of("a", List.of(Map.of("y", true), 2.5), "z", 1)));

        assertThat(Json.canonicalBytes(reordered)).isEqualTo(Json.canonicalBytes(unsortedNested()));
        assertThat(Json.canonicalBytes(unsortedNested())).isEqualTo(Json.canonical(unsortedNested()).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void canonical_recordsAreSortedByPropertyName() {
        record Sample(String zulu, int alpha) {
        }

        assertThat(Json.canonical(new Sample("z", 1))).isEqualTo("{\"alpha\":1,\"zulu\":\"z\"}");
    }

    @Test
    void pretty_isSortedIndentedAndEndsWithANewline() {
        String pretty = Json.pretty(Map.of("b", 1, "a", Map.of("d", 2, "c", 3)));

        assertThat(pretty).isEqualTo("{\n  \"a\" : {\n    \"c\" : 3,\n    \"d\" : 2\n  },\n  \"b\" : 1\n}\n");
    }

    @Test
    void parseObject_duplicateKey_isRejected() {
        assertThatThrownBy(() -> Json.parseObject("{\"a\":1,\"a\":2}"))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void parseObject_trailingContent_isRejected() {
        assertThatThrownBy(() -> Json.parseObject("{\"a\":1} {\"b\":2}")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> Json.parseObject("{\"a\":1}x")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void parseObject_nonNumericNumbers_areRejected() {
        assertThatThrownBy(() -> Json.parseObject("{\"a\":NaN}")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void parseObject_keepsTheDocumentsKeyOrderAndTypes() throws JsonProcessingException {
        Map<String, Object> parsed = Json.parseObject(" {\"b\":1,\"a\":[true,\"x\"],\"c\":1.5}\n");

        assertThat(parsed).containsExactly(Map.entry("b", 1), Map.entry("a", List.of(true, "x")), Map.entry("c", 1.5));
    }

    @Test
    void writeAtomically_writesTheContentAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("sub/result.json");

        Json.writeAtomically(target, "{\"a\":1}\n");

        assertThat(Files.readString(target)).isEqualTo("{\"a\":1}\n");
        assertThat(listAll(dir)).containsExactlyInAnyOrder("sub", "sub/result.json");
    }

    @Test
    void writeAtomically_replacesAnExistingFileAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("result.json");
        Files.writeString(target, "old content that is longer than the new one");

        Json.writeAtomically(target, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(listAll(dir)).containsExactly("result.json");
    }

    @Test
    void readObject_readsWhatWriteAtomicallyWrote() throws IOException {
        Path target = dir.resolve("r.json");
        Json.writeAtomically(target, Json.pretty(Map.of("status", "succeeded", "n", 3)));

        assertThat(Json.readObject(target)).containsExactly(Map.entry("n", 3), Map.entry("status", "succeeded"));
    }

    private static List<String> listAll(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString().replace('\\', '/')).toList();
        }
    }
}
