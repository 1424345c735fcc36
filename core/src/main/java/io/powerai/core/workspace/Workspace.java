package io.powerai.core.workspace;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Json;
import io.powerai.core.result.StageResult;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code .powerai/} folder of a workspace: one result file per stage ({@code <step>.json}), one working
 * folder per stage, and the audit log. Results are written whole or not at all.
 *
 * <p>powerai never makes a link under {@code .powerai}, but a repository can commit one ({@code .powerai -> /etc},
 * {@code .powerai/audit.jsonl -> ~/.bashrc}): writing through it would write outside the project. So a link or a
 * special file at {@code .powerai}, directly inside it or directly inside a stage's folder is refused (exit 2,
 * naming it); deeper folders (outputs, build contexts) are emptied without following links before they are used.
 */
public final class Workspace {
    public static final String DIR_NAME = ".powerai";
    public static final int RESULT_SCHEMA_VERSION = 1;

    private final Path dir;
    private final AuditLog audit;

    public Workspace(Path root, Clock clock) {
        this.dir = root.toAbsolutePath().normalize().resolve(DIR_NAME);
        this.audit = new AuditLog(dir.resolve("audit.jsonl"), clock);
        requireNoLinks(dir, DIR_NAME);
    }

    /** Refuses a link or special file at {@code folder} or directly in it; see the class comment. */
    private static void requireNoLinks(Path folder, String shownAs) {
        String where = "workspace";
        ProjectPaths.requireNoLink(folder, shownAs, where);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            entries.forEach(entry -> ProjectPaths.requireNoLink(entry, shownAs + "/" + entry.getFileName(), where));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
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
        requireNoLinks(stageDir, DIR_NAME + "/" + stage.section());
        try {
            Files.createDirectories(stageDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + stageDir + ": " + e.getMessage(), e);
        }
        return stageDir;
    }

    /**
     * The audit log's chain and head, and each stage result's {@code audit} record (seq and hash) against it: a log
     * whose last records were dropped and whose head was rewritten still contradicts the results.
     */
    public AuditLog.Verification verifyAudit() {
        java.util.List<AuditLog.Anchor> anchors = new java.util.ArrayList<>();
        for (Stage stage : Stage.values()) {
            Path file = resultFile(stage);
            Map<String, Object> result = lastResult(stage).orElse(null);
            if (result == null) {
                if (Files.exists(file)) {
                    return new AuditLog.Verification(false, 0, file.getFileName() + " is not valid JSON (changed)");
                }
                continue;
            }
            if (result.get("audit") instanceof Map<?, ?> record && record.get("seq") instanceof Number seq
                    && record.get("hash") instanceof String hash) {
                anchors.add(new AuditLog.Anchor(file.getFileName().toString(), stage.stepName(), seq.longValue(), hash));
            }
        }
        return audit.verify(anchors);
    }

    public void writeResult(Stage stage, Map<String, Object> result) {
        Json.writeAtomically(resultFile(stage), Json.pretty(result));
    }

    /** Writes a typed result: the one way stages write their result files (see {@link StageResults}). */
    public void writeResult(StageResult result) {
        Stage stage = stageNamed(result.stage());
        Json.writeAtomically(resultFile(stage), StageResults.toText(result));
    }

    private static Stage stageNamed(String stepName) {
        for (Stage stage : Stage.values()) {
            if (stage.stepName().equals(stepName)) {
                return stage;
            }
        }
        throw new IllegalArgumentException("no stage is named " + stepName);
    }

    /** The last result of {@code stage} in its type when there is one that can be read, whatever its status; else empty. */
    public <T extends StageResult> java.util.Optional<T> lastResult(Stage stage, Class<T> type) {
        Path file = resultFile(stage);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(StageResults.read(file, type));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The succeeded result of an earlier stage in its type, which {@code needer} consumes; a clear error otherwise. */
    public <T extends StageResult> T requireResult(Stage stage, Class<T> type, Stage needer) {
        Path file = resultFile(stage);
        if (!Files.isRegularFile(file)) {
            throw new PowerAiException.InvalidInput(needer.stepName() + ": no result of " + stage.stepName() + " in " + dir
                    + " (run that stage first)");
        }
        T result;
        try {
            result = StageResults.read(file, type);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(needer.stepName() + ": cannot read " + file + ": " + e.getMessage());
        }
        if (!result.succeeded()) {
            throw new PowerAiException.InvalidInput(needer.stepName() + ": the last " + stage.stepName() + " in " + dir
                    + " did not succeed (status " + result.status() + "); run it again first");
        }
        return result;
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
