package io.powerai.core.stage.training;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.StageAttestations;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.event.StageEvents;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.result.StageResult;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.ProjectSource;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.backend.PodTraining;
import io.powerai.core.stage.training.backend.TrainingBackend;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * e13n: runs the training script with the backend its spec names ({@link TrainingBackend}: in the snapshot image
 * here, on the agent's Python, as a Kubernetes Job, or in the training container of an agent pod) and records how
 * it ended, the same for all of them. In an image the project is mounted read-only at {@value #PROJECT}, the data
 * read-only at {@value #DATA}, and only {@value #OUTPUTS} is writable; every file written there is hashed into the
 * result and the audit log.
 */
public final class TrainingRun {
    public static final String PROJECT = "/workspace/project";
    public static final String DATA = "/workspace/data";
    public static final String OUTPUTS = "/workspace/outputs";
    static final Stage STAGE = Stage.TRAIN;
    public static final Set<String> NOT_CODE = Set.of(Workspace.DIR_NAME, ".git");
    private static final java.util.regex.Pattern SNAPSHOT_ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private TrainingRun() {
    }

    /**
     * Runs the training with the backend its spec names; {@code imageOverride} (a pinned reference) replaces the
     * snapshot result's image. A failed run still writes its result and audit record, keeps its log and partial
     * outputs, then throws. With {@code backend: kubernetes} the run is a Job, with the {@code cluster}'s credentials.
     */
    public static TrainingResult run(StageContext ctx, String imageOverride, io.powerai.core.kubernetes.ClusterCredentials cluster) {
        ctx.spec().require(STAGE);
        return run(TrainingBackend.of(ctx, cluster), ctx, imageOverride);
    }

    /**
     * A run on this agent: in a container, or with {@code backend: native} on the agent's Python. Stopped (the
     * {@link StageContext#cancellation()} aborted), its container or process is killed and the run recorded as aborted.
     */
    public static TrainingResult run(StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        return run(TrainingBackend.onThisAgent(ctx), ctx, imageOverride);
    }

    /** Runs {@code backend} and records how it ended, with the stage marked in flight meanwhile. */
    public static TrainingResult run(TrainingBackend backend, StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
            return record(ctx, backend.train(imageOverride));
        }
    }

    /**
     * Records what the training container of a Jenkins Kubernetes agent pod left (see {@link PodTraining}); the run
     * happened in that container, so this agent-container step has nothing in flight to undo.
     */
    public static TrainingResult recordAgentPod(StageContext ctx) {
        return record(ctx, new PodTraining(ctx).train(null));
    }

    /**
     * How a run ended, whatever ran it: what {@link #record} turns into the result, the audit record and the outcome.
     *
     * @param failure          why it failed, in words; null when it succeeded
     * @param failureReason    a word for scripts: timeout, killed, oom, exit-code, no-outputs, outputs-missing
     * @param facts            what only this backend knows (GPU preflight, the Kubernetes Job...), in the result and
     *                         the audit record's details
     * @param extraInputs      inputs beyond image, code and data (e.g. the packages of a native run)
     * @param extraOutputs     outputs beyond the files, the log and the chart, by digest
     * @param summary          a last line to show (e.g. GPU use), or null
     */
    public record Ended(String image, int exitCode, String failure, String failureReason, String lastLine, long durationMillis,
                        Metrics metrics, BackendFacts facts, Map<String, String> extraInputs,
                        Map<String, String> extraOutputs, String summary) {
        Ended failed(String why, String reason) {
            return new Ended(image, exitCode, why, reason, lastLine, durationMillis, metrics, facts, extraInputs, extraOutputs, summary);
        }
    }

    /** The image to train in: the override, else the snapshot's; a one-line error when it is not a reference. */
    public static String imageOf(StageContext ctx, String imageOverride) {
        String image = imageOverride != null ? imageOverride
                : String.valueOf(ctx.workspace().requireResult(Stage.SNAPSHOT, SnapshotResult.class, STAGE).image());
        try {
            ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'image' must be an image reference; got '" + image
                    + "' (" + e.getMessage() + ")");
        }
        return image;
    }

    /**
     * The snapshot id of {@code image}: the last snapshot's when it made this image, else the image's tag when it
     * is one (snapshots are tagged with their id); null when neither tells.
     */
    public static String snapshotId(StageContext ctx, String image) {
        if (image == null) {
            return null;
        }
        // An unreadable result tells nothing; the tag may.
        Optional<String> recorded = ctx.workspace().lastResult(Stage.SNAPSHOT, SnapshotResult.class)
                .filter(snapshot -> image.equals(snapshot.image())).map(SnapshotResult::snapshotId);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        try {
            return ImageReference.parse(image).tag().filter(t -> SNAPSHOT_ID.matcher(t).matches()).orElse(null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Hashes the outputs, draws the metrics, appends the audit record and writes the result, the same for every
     * backend (so that scoringImage reads any of them); then throws when the run failed.
     */
    static TrainingResult record(StageContext ctx, Ended run) {
        Ended ended = run;
        TrainSpec spec = ctx.spec().train();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        Path log = stageDir.resolve("train.log");
        Path chart = stageDir.resolve("metrics.svg");
        deleteIfExists(chart);
        Metrics metrics = ended.metrics();
        Path projectDir = ctx.spec().projectDir();

        // The training script wrote these: a link out of the outputs (to a host file) is refused, never followed; the
        // run is recorded as failed (so no later stage takes its outputs) and the refusal is the stage's error (exit 2).
        Map<String, String> outputFiles;
        PowerAiException.InvalidInput unsafeOutputs = null;
        try {
            outputFiles = Digests.sha256Tree(outputs, outputs, Set.of(), STAGE.stepName() + ": training outputs");
        } catch (PowerAiException.InvalidInput e) {
            unsafeOutputs = e;
            outputFiles = Map.of();
            ended = ended.failed(e.getMessage(), "unsafe-outputs");
        }
        String status = ended.failure() == null ? "succeeded" : "failed";
        if (outputFiles.isEmpty() && ended.failure() == null) {
            events.warning("the training wrote no file to $POWERAI_OUTPUTS: there is no model to hash or to hand on");
        }
        String chartFile = null;
        String svg = MetricsChart.render(metrics.points());
        if (svg != null) {
            Json.writeAtomically(chart, svg);
            chartFile = ctx.workspace().dir().relativize(chart).toString();
        }

        Map<String, String> inputs = new TreeMap<>(ended.extraInputs());
        if (ended.image() != null) {
            inputs.put("image", ended.image());
        }
        String snapshotId = snapshotId(ctx, ended.image());
        if (snapshotId != null) {
            inputs.put("snapshotId", snapshotId);
        }
        ProjectSource source = ProjectSource.of(projectDir);
        if (source.revision() != null) {
            inputs.put("revision", source.revision());
        }
        inputs.put("code", Digests.sha256OfTree(projectDir, projectDir, NOT_CODE, STAGE.stepName() + ": the project's code"));
        if (spec.data() != null) {
            inputs.put("data", Digests.sha256OfTree(spec.data(), projectDir, Set.of(), STAGE.stepName() + ": 'data'"));
        }
        Map<String, String> auditOutputs = new TreeMap<>(ended.extraOutputs());
        outputFiles.forEach((path, sha) -> auditOutputs.put("outputs/" + path, sha));
        auditOutputs.put("train.log", Digests.sha256(log));
        if (chartFile != null) {
            auditOutputs.put("metrics.svg", Digests.sha256(chart));
        }
        Map<String, Object> backendDetails = ended.facts().toMap();
        Map<String, Object> details = new TreeMap<>(backendDetails);
        details.put("script", spec.script());
        details.put("args", spec.args());
        details.put("gpus", spec.gpus());
        details.put("exitCode", ended.exitCode());
        details.put("durationMillis", ended.durationMillis());
        details.put("metrics", metrics.finalValues());
        if (ended.failure() != null) {
            details.put("failure", ended.failure());
            details.put("failureReason", ended.failureReason());
        }
        details.put("backend", spec.backend());
        details.put("environmentPinned", TrainingOutcome.pinned(ended.image()));
        ctx.cancellation().recording(STAGE.stepName());
        // Provenance for a model only: a failed run made none (and one that wrote nothing has no subject).
        Attestor.Written attestations = ended.failure() != null || outputFiles.isEmpty() ? null
                : StageAttestations.model(ctx.attestor(), ctx.workspace().dir(), STAGE.stepName(),
                        StageAttestations.Timing.endingAt(ctx.clock().instant(), ended.durationMillis()), spec, ended.image(), outputFiles,
                        inputs.get("code"), source.revision(), source.url(), inputs.get("data"), backendDetails);
        if (attestations != null) {
            details.put("attestations", attestations.toJson());
        }
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), status, inputs, auditOutputs, details));

        Json.writeAtomically(stageDir.resolve("metrics.json"), Json.pretty(Map.of("final", metrics.finalValues(),
                "points", metrics.points())));
        BackendFacts facts = ended.facts();
        TrainingResult result = new TrainingResult(StageResult.CURRENT_SCHEMA_VERSION, STAGE.stepName(), status, ended.image(),
                spec.backend(), TrainingOutcome.pinned(ended.image()), facts.environment(), facts.gpuPreflight(),
                facts.gpuTelemetry(), facts.kubernetes(), facts.placement(), spec.script(), spec.args(), spec.gpus(),
                ended.exitCode(), ended.durationMillis(), metrics.finalValues(), chartFile,
                ctx.workspace().dir().relativize(outputs).toString(), outputFiles, ctx.workspace().dir().relativize(log).toString(),
                inputs.get("code"), inputs.get("data"), snapshotId, source.revision(), ended.failure(),
                ended.failure() == null ? null : ended.failureReason(),
                attestations == null ? null : new io.powerai.core.result.Attestations(attestations.files(), attestations.signed(),
                        attestations.keyId()),
                new AuditStamp(record.seq(), record.hash()));
        ctx.workspace().writeResult(result);
        if (ended.summary() != null) {
            events.progress(ended.summary());
        }
        if (unsafeOutputs != null) {
            throw unsafeOutputs;
        }
        if (ended.failure() != null) {
            throw PowerAiException.StageFailed.bare(ended.failure() + "; log kept at " + log
                    + (ended.lastLine() == null ? "" : " (last line: " + ended.lastLine() + ")"));
        }
        events.progress("done in " + ended.durationMillis() + " ms; " + outputFiles.size() + " output file(s); metrics "
                + metrics.finalValues());
        return result;
    }

    public static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    public static void resetDirectory(Path dir) {
        ProjectPaths.deleteTree(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset " + dir + ": " + e.getMessage(), e);
        }
    }
}
