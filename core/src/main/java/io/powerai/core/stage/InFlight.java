package io.powerai.core.stage;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Json;
import io.powerai.core.lifecycle.Cancellation;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stage run under way, written down before it starts anything ({@code .powerai/in-flight/<step>.json}) and
 * removed once it has recorded its outcome. What it names (its containers, the deployment it is replacing) is
 * what an abort undoes: at once when the run is stopped (SIGTERM, see {@link Cancellation}), or by the next run
 * in the workspace when it was killed outright and the file was left behind. Either way the abort is recorded:
 * an audit record and a result with status {@code aborted}.
 */
public final class InFlight implements AutoCloseable {
    static final String DIR_NAME = "in-flight";

    private final StageContext ctx;
    private final Path file;
    private final Map<String, Object> state = new LinkedHashMap<>();
    private final Cancellation.Step step;
    private DeploymentUndo deploymentUndo = DeploymentUndo.NONE;

    /**
     * What puts back the deployment a stopped local deploy was replacing: the local deploy target's undo. Passed in
     * by the deploy target (and, for the leftovers of a killed process, by the face), so that this class, which every
     * stage uses, does not depend on the deploy target.
     */
    @FunctionalInterface
    public interface DeploymentUndo {
        DeploymentUndo NONE = (ctx, deployment, why, events) -> Map.of();

        Map<String, Object> undo(StageContext ctx, Map<String, Object> deployment, String why, StageEvents events);
    }

    private InFlight(StageContext ctx, Stage stage) {
        this.ctx = ctx;
        this.file = dir(ctx).resolve(stage.stepName() + ".json");
        state.put("stage", stage.stepName());
        state.put("pid", ProcessHandle.current().pid());
        state.put("startedAt", ctx.clock().instant().toString());
        write();
        try {
            this.step = ctx.cancellation().step(stage.stepName(), () -> settle(ctx, copy(), "aborted: " + reasonOf(ctx), undo()));
        } catch (Cancellation.Aborted e) {
            delete(file); // stopped before it began: nothing to undo, nothing to record
            throw e;
        }
    }

    /** Writes the stage down and arms its abort; close it when the stage ends, whatever the outcome. */
    public static InFlight begin(StageContext ctx, Stage stage) {
        return new InFlight(ctx, stage);
    }

    static Path dir(StageContext ctx) {
        return ctx.workspace().dir().resolve(DIR_NAME);
    }

    /**
     * A local deployment is about to replace {@code previousImage} (null: none served), whose container carried
     * {@code previousRecord} (its record labels, put back with it on an undo), with {@code image}.
     */
    public synchronized void deployment(String container, String runId, String image, String previousImage, int port,
                                 Map<String, String> previousRecord, DeploymentUndo undo) {
        this.deploymentUndo = undo;
        Map<String, Object> deployment = new LinkedHashMap<>();
        deployment.put("container", container);
        deployment.put("runId", runId);
        deployment.put("image", image);
        if (previousImage != null) {
            deployment.put("previousImage", previousImage);
        }
        deployment.put("port", port);
        if (!previousRecord.isEmpty()) {
            deployment.put("previousRecord", previousRecord);
        }
        state.put("deployment", deployment);
        write();
    }

    @Override
    public void close() {
        step.close();
        if (step.ownedByTheStage()) { // else the abort settles the stage and removes the file
            delete(file);
        }
    }

    private synchronized DeploymentUndo undo() {
        return deploymentUndo;
    }

    private synchronized Map<String, Object> copy() {
        return new LinkedHashMap<>(state);
    }

    private synchronized void write() {
        Json.writeAtomically(file, Json.pretty(state));
    }

    private static String reasonOf(StageContext ctx) {
        return ctx.cancellation().reason();
    }

    /**
     * Finishes the runs that ended without a record (the process was killed): removes what they started, puts back
     * the deployment they were replacing, records them as aborted. Call it holding the workspace lock, so that
     * whoever wrote these files is gone; {@code deploymentUndo} puts back a deployment a killed deploy was replacing.
     * Returns how many it found.
     */
    public static int settleLeftovers(StageContext ctx, DeploymentUndo deploymentUndo) {
        Path dir = dir(ctx);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        int found = 0;
        for (Path left : files) {
            String stageName = left.getFileName().toString().replaceFirst("\\.json$", "");
            if (Arrays.stream(Stage.values()).noneMatch(st -> st.stepName().equals(stageName))) {
                continue; // not one of ours: its name must not choose which result file is written
            }
            Map<String, Object> state;
            try {
                state = new LinkedHashMap<>(Json.readObject(left));
            } catch (IOException e) {
                state = new LinkedHashMap<>();
            }
            state = trusted(state, stageName);
            settle(ctx, state, "the run (pid " + state.get("pid") + ", started " + state.get("startedAt")
                    + ") was killed before it recorded an outcome", deploymentUndo);
            found++;
        }
        return found;
    }

    /**
     * Only what a run of ours could have written, in the forms it writes them: the file lies under .powerai, which
     * a repository can plant, and its values reach messages and records.
     */
    private static Map<String, Object> trusted(Map<String, Object> state, String stageName) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stage", stageName);
        if (state.get("pid") instanceof Number pid) {
            out.put("pid", pid.longValue());
        }
        if (state.get("startedAt") instanceof String started) {
            try {
                out.put("startedAt", java.time.Instant.parse(started).toString());
            } catch (java.time.format.DateTimeParseException e) {
                // left out
            }
        }
        if (stageName.equals(Stage.DEPLOY.stepName()) && state.get("deployment") instanceof Map<?, ?> deployment) {
            out.put("deployment", deployment);
        }
        return out;
    }

    /** Undoes what the run in {@code state} left, records it as aborted, and removes its file. */
    @SuppressWarnings("unchecked")
    private static void settle(StageContext ctx, Map<String, Object> state, String why, DeploymentUndo deploymentUndo) {
        String stageName = String.valueOf(state.get("stage"));
        StageEvents events = ctx.events().forStage(stageName);
        Map<String, Object> details = new TreeMap<>();
        details.put("reason", why);
        if (state.get("pid") != null) {
            details.put("pid", state.get("pid"));
        }
        if (state.get("startedAt") != null) {
            details.put("startedAt", state.get("startedAt"));
        }
        List<String> removed = removeJobContainers(ctx, events, why);
        if (!removed.isEmpty()) {
            details.put("removedContainers", removed);
        }
        Map<String, String> inputs = new TreeMap<>();
        if (state.get("deployment") instanceof Map<?, ?> deployment) {
            inputs.put("image", String.valueOf(deployment.get("image")));
            details.putAll(deploymentUndo.undo(ctx, (Map<String, Object>) deployment, why, events));
        }
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(stageName, "aborted", inputs, Map.of(), details));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", stageName);
        result.put("status", "aborted");
        result.putAll(inputs);
        result.putAll(details);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        Path resultFile = ctx.workspace().dir().resolve(stageName + ".json");
        Json.writeAtomically(resultFile, Json.pretty(result));
        events.warning("recorded as aborted (audit record " + record.seq() + "): " + why);
        delete(dir(ctx).resolve(stageName + ".json"));
    }

    /**
     * Removes the training and smoke-test containers of this workspace (found by its label, not by a name a file
     * gives: the files under .powerai may come from anywhere). Holding the workspace lock, none of them is in use.
     */
    static List<String> removeJobContainers(StageContext ctx, StageEvents events, String why) {
        List<String> removed = new ArrayList<>();
        for (String name : ctx.engine().containersLabelled(Containers.jobLabels(ctx))) {
            ctx.engine().remove(name);
            removed.add(name);
            events.warning("removed container " + name + " (" + why + ")");
        }
        return removed;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
