package io.powerai.core.workspace;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.json.Json;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The {@code .powerai/} folder of a workspace: one result file per stage ({@code <step>.json}), one working
 * folder per stage, and the audit log. Results are written whole or not at all.
 */
public final class Workspace {
    public static final String DIR_NAME = ".powerai";
    public static final int RESULT_SCHEMA_VERSION = 1;

    private final Path dir;
    private final AuditLog audit;

    public Workspace(Path root, Clock clock) {
        this.dir = root.toAbsolutePath().normalize().resolve(DIR_NAME);
        this.audit = new AuditLog(dir.resolve("audit.jsonl"), clock);
    }

    public Path dir() {
        return dir;
    }

    public AuditLog audit() {
        return audit;
    }

    public Path resultFile(Stage stage) {
        return dir.resolve(stage.stepName() + ".json");
    }

    /** The stage's own folder (build contexts, logs, outputs), created on demand. */
    public Path stageDir(Stage stage) {
        Path stageDir = dir.resolve(stage.section());
        try {
            Files.createDirectories(stageDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + stageDir + ": " + e.getMessage(), e);
        }
        return stageDir;
    }

    public void writeResult(Stage stage, Map<String, Object> result) {
        Json.writeAtomically(resultFile(stage), Json.pretty(result));
    }

    /** The last result of {@code stage} when there is one that can be read, whatever its status; else empty. */
    public java.util.Optional<Map<String, Object>> lastResult(Stage stage) {
        Path file = resultFile(stage);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Json.readObject(file));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The result of an earlier stage, which {@code needer} consumes; a clear error when it is absent. */
    public Map<String, Object> requireResult(Stage stage, Stage needer) {
        Path file = resultFile(stage);
        if (!Files.isRegularFile(file)) {
            throw new PowerAiException.InvalidInput(needer.stepName() + ": no result of " + stage.stepName() + " in " + dir
                    + " (run that stage first)");
        }
        try {
            Map<String, Object> result = Json.readObject(file);
            if (!"succeeded".equals(result.get("status"))) {
                throw new PowerAiException.InvalidInput(needer.stepName() + ": the last " + stage.stepName() + " in " + dir
                        + " did not succeed (status " + result.get("status") + "); run it again first");
            }
            return result;
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(needer.stepName() + ": cannot read " + file + ": " + e.getMessage());
        }
    }
}
