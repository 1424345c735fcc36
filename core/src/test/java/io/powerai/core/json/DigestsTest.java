package io.powerai.core.json;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DigestsTest {
    private static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path tmp;

    private Path tree;

    @BeforeEach
    void createTree() throws IOException {
        tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("abc.txt"), "abc");
        Files.createDirectories(tree.resolve("model/weights"));
        Files.writeString(tree.resolve("model/weights/w.bin"), "0123456789");
        Files.writeString(tree.resolve("model/config.json"), "{}");
    }

    @Test
    void sha256_ofAbc_isTheKnownVector() {
        assertThat(Digests.sha256("abc")).isEqualTo(SHA256_ABC);
        assertThat(Digests.sha256("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(SHA256_ABC);
    }

    @Test
    void sha256_ofNothing_isTheKnownVector() {
        assertThat(Digests.sha256("")).isEqualTo(SHA256_EMPTY);
    }

    @Test
    void sha256_ofTheMillionA_isTheKnownVector() {
        assertThat(Digests.sha256("a".repeat(1_000_000)))
                .isEqualTo("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    @Test
    void sha256_ofAFile_isTheDigestOfItsBytes() throws IOException {
        Path big = tmp.resolve("big.bin");
        Files.writeString(big, "a".repeat(1_000_000)); // larger than the read buffer

        assertThat(Digests.sha256(tree.resolve("abc.txt"))).isEqualTo(SHA256_ABC);
        assertThat(Digests.sha256(big)).isEqualTo("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    @Test
    void sha256Tree_listsEveryFileBySlashSeparatedRelativePath() {
        Map<String, String> files = Digests.sha256Tree(tree);

        assertThat(files).containsExactly(
                Map.entry("abc.txt", SHA256_ABC),
                Map.entry("model/config.json", Digests.sha256("{}")),
                Map.entry("model/weights/w.bin", Digests.sha256("0123456789")));
    }

    @Test
    void sha256Tree_missingDirectory_isEmpty() {
        assertThat(Digests.sha256Tree(tmp.resolve("missing"))).isEmpty();
    }

    @Test
    void sha256Tree_excludedTopLevelEntries_areLeftOut() throws IOException {
        Files.createDirectories(tree.resolve(".powerai"));
        Files.writeString(tree.resolve(".powerai/audit.jsonl"), "x");

        assertThat(Digests.sha256Tree(tree, Set.of(".powerai", "abc.txt")).keySet())
                .containsExactly("model/config.json", "model/weights/w.bin");
    }

    @Test
    void sha256OfTree_sameContentElsewhere_isTheSame() throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        Files.writeString(copy.resolve("abc.txt"), "abc");
        Files.createDirectories(copy.resolve("model/weights"));
        Files.writeString(copy.resolve("model/config.json"), "{}");
        Files.writeString(copy.resolve("model/weights/w.bin"), "0123456789");

        assertThat(Digests.sha256OfTree(copy)).isEqualTo(Digests.sha256OfTree(tree)).matches("[0-9a-f]{64}");
    }

    @Test
    void sha256OfTree_oneFileByteChanged_differs() throws IOException {
        String before = Digests.sha256OfTree(tree);
        Files.writeString(tree.resolve("model/weights/w.bin"), "0123456788");

        assertThat(Digests.sha256OfTree(tree)).isNotEqualTo(before);
    }

    @Test
    void sha256OfTree_fileRenamed_differs() throws IOException {
        String before = Digests.sha256OfTree(tree);
        Files.move(tree.resolve("model/config.json"), tree.resolve("model/config2.json"));

        assertThat(Digests.sha256OfTree(tree)).isNotEqualTo(before);
    }

    @Test
    void sha256OfTree_fileMovedToAnotherFolder_differs() throws IOException {
        String before = Digests.sha256OfTree(tree);
        Files.move(tree.resolve("model/config.json"), tree.resolve("model/weights/config.json"));

        assertThat(Digests.sha256OfTree(tree)).isNotEqualTo(before);
    }

    @Test
    void sha256OfTree_fileAdded_differs() throws IOException {
        String before = Digests.sha256OfTree(tree);
        Files.writeString(tree.resolve("empty.txt"), "");

        assertThat(Digests.sha256OfTree(tree)).isNotEqualTo(before);
    }

    @Test
    void sha256OfTree_isTheDigestOfTheCanonicalListing() {
        assertThat(Digests.sha256OfTree(tree)).isEqualTo(Digests.sha256(Json.canonical(Digests.sha256Tree(tree))));
    }
}
