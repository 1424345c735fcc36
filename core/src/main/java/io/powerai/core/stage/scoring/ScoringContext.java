package io.powerai.core.stage.scoring;

import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The build context of a scoring image: Dockerfile, server, entry script, samples and the model's files. */
final class ScoringContext {
    private ScoringContext() {
    }

    static void write(Path context, String dockerfile, byte[] server, Path entryScript, ScoringModel model, ScoringSamples samples) {
        try {
            ProjectPaths.deleteTree(context);
            if (samples.request() != null || samples.response() != null) {
                Path dir = context.resolve("samples");
                Files.createDirectories(dir);
                if (samples.request() != null) {
                    Files.write(dir.resolve("sample-request.json"), samples.request());
                }
                if (samples.response() != null) {
                    Files.write(dir.resolve("sample-response.json"), samples.response());
                }
            }
            Path modelDir = context.resolve("model");
            Files.createDirectories(modelDir);
            Json.writeAtomically(context.resolve("Dockerfile"), dockerfile);
            Files.write(context.resolve(ScoringDockerfile.SERVER_RESOURCE), server);
            ProjectPaths.copyFile(entryScript.toRealPath(), context.resolve(entryScript.getFileName().toString()));
            // Plain files only, links resolved and checked: the build context never holds a link.
            model.files().forEach((relative, real) -> ProjectPaths.copyFile(real, modelDir.resolve(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + context + ": " + e.getMessage(), e);
        }
    }
}
