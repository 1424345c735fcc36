package io.powerai.core.lineage;

import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The .powerai folder of a real `powerai run examples/svm-moons` (src/test/resources/io/powerai/core/lineage/svm-moons), copied to change. */
public final class LineageFixture {
    public static final Path SVM = Path.of("src/test/resources/io/powerai/core/lineage/svm-moons");

    private LineageFixture() {
    }

    public static Path copy(Path target) {
        try (Stream<Path> files = Files.walk(SVM)) {
            for (Path file : files.toList()) {
                Path to = target.resolve(SVM.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites one result file (the audit log is left alone: results are not hashed by it). */
    public static void edit(Path dir, String stepName, Consumer<Map<String, Object>> change) {
        try {
            Path file = dir.resolve(stepName + ".json");
            Map<String, Object> json = Json.readObject(file);
            change.accept(json);
            Files.writeString(file, Json.pretty(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
