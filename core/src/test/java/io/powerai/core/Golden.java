package io.powerai.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Golden files for rendered artifacts, compared byte for byte. They live in the source tree at
 * {@code src/test/resources/io/powerai/core/<package>/<TestClass>/<case>.expected.<ext>} and are read from there
 * (not from the copy on the class path), so an update is what the next run compares against.
 *
 * <p>To regenerate on purpose: {@code mvn -B -o test -pl core -Dpowerai.updateGolden=true}, then review the
 * diff of the expected files by eye before committing them.
 */
public final class Golden {
    public static final String UPDATE_PROPERTY = "powerai.updateGolden";

    private Golden() {
    }

    /** The golden file of {@code testClass}'s case {@code name} ({@code extension} without the dot). */
    public static Path file(Class<?> testClass, String name, String extension) {
        String dir = testClass.getPackageName().replace('.', '/') + "/" + testClass.getSimpleName();
        return Path.of("src", "test", "resources").resolve(dir).resolve(name + ".expected." + extension);
    }

    public static void assertMatches(Class<?> testClass, String name, String extension, String actual) {
        assertMatches(file(testClass, name, extension), actual.getBytes(StandardCharsets.UTF_8));
    }

    public static void assertMatches(Path golden, byte[] actual) {
        try {
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.createDirectories(golden.getParent());
                Files.write(golden, actual);
            }
            if (!Files.isRegularFile(golden)) {
                fail("golden file " + golden.toAbsolutePath() + " is missing: run once with -D" + UPDATE_PROPERTY
                        + "=true and review it");
            }
            byte[] expected = Files.readAllBytes(golden);
            if (!Arrays.equals(expected, actual)) {
                // Text first, for a readable diff; then the bytes, for differences text hides (line endings, BOM).
                assertThat(new String(actual, StandardCharsets.UTF_8))
                        .as("rendered output vs golden file %s (-D%s=true rewrites it)", golden, UPDATE_PROPERTY)
                        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
                assertThat(actual).as("bytes of golden file %s", golden).isEqualTo(expected);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
