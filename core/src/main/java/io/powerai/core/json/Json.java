package io.powerai.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.MapperFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Canonical JSON: keys sorted at every level, no insignificant whitespace in the compact form. What is hashed
 * (snapshot ids, audit records) is always the compact canonical form, so equal content gives equal bytes.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // One document per text: '{...} anything' is not valid JSON (an audit line with text appended is changed).
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Compact, key-sorted bytes: the form that is hashed. */
    public static byte[] canonicalBytes(Object value) {
        try {
            // Round-trip through a tree so nested maps of any implementation come out sorted.
            Object tree = MAPPER.readValue(MAPPER.writeValueAsBytes(value), Object.class);
            return MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String canonical(Object value) {
        return new String(canonicalBytes(value), StandardCharsets.UTF_8);
    }

    /** Key-sorted, indented: the form written to result files for people to read. */
    public static String pretty(Object value) {
        try {
            Object tree = MAPPER.readValue(MAPPER.writeValueAsBytes(value), Object.class);
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> parseObject(String text) throws JsonProcessingException {
        return MAPPER.readValue(text, MAP);
    }

    public static Map<String, Object> readObject(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), MAP);
    }

    /** Writes to a temporary file beside the target, then moves it into place: never a half-written file. */
    public static void writeAtomically(Path target, String content) {
        writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeAtomically(Path target, byte[] content) {
        writeAtomically(target, content, false);
    }

    /** As {@link #writeAtomically(Path, String)}, for a secret: the file is mode 0600 from the moment it exists. */
    public static void writePrivately(Path target, String content) {
        writeAtomically(target, content.getBytes(StandardCharsets.UTF_8), true);
    }

    private static void writeAtomically(Path target, byte[] content, boolean ownerOnly) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            // A link planted at the temporary name must be replaced, never written through.
            Files.deleteIfExists(tmp);
            if (ownerOnly) {
                Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                Files.write(tmp, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } else {
                Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
