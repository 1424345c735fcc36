package io.powerai.core.stage.training;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.StageAttestations;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.engine.Mount;
import io.powerai.core.engine.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.gpu.GpuSampler;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.Durations;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.Containers;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.ScoringImage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.backend.KubernetesTraining;
import io.powerai.core.stage.training.backend.NativeTraining;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.concurrent.ThreadLocalRandom;

/**
 * e13n: runs the training script in the snapshot image. The project is mounted read-only at
 * {@value #PROJECT}, the data read-only at {@value #DATA}, and only {@value #OUTPUTS} is writable; every file
 * written there is hashed into the result and the audit log.
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

    /** The container run for {@code spec}: pure, so the mounts and flags are tested without an engine. */
    public static RunSpec runSpec(TrainSpec spec, String image, Path projectDir, Path outputs, String containerName, String user) {
        return runSpec(spec, image, projectDir, outputs, containerName, user, spec.wantsGpus() ? spec.gpus() : null);
    }

    /** As above, with the GPUs the preflight chose ({@code gpus}: "all", "device=0,1", a count; null for none). */
    public static RunSpec runSpec(TrainSpec spec, String image, Path projectDir, Path outputs, String containerName, String user,
                                  String gpus) {
        List<Mount> mounts = new ArrayList<>();
        mounts.add(new Mount(projectDir, PROJECT, true));
        if (spec.data() != null) {
            mounts.add(new Mount(spec.data(), DATA, true));
        }
        mounts.add(new Mount(outputs, OUTPUTS, false));
        return RunSpec.of(image, command(spec))
                .withName(containerName)
                .withMounts(mounts)
                .withEnv(environment(spec))
                .withNetwork(spec.network())
                .withWorkDir(workDir(spec))
                .withUser(user)
                .withGpus(gpus)
                .withShmSize(spec.shmSize())
                .withUlimits(spec.ulimits())
                .withLabels(Map.of("io.powerai.managed", "true", "io.powerai.stage", STAGE.stepName()));
    }

    /** The variables of the script in the image (a container or a pod): the spec's, then powerai's own, which win. */
    public static SortedMap<String, String> environment(TrainSpec spec) {
        SortedMap<String, String> env = new TreeMap<>(spec.env());
        env.put("POWERAI_OUTPUTS", OUTPUTS);
        env.put("POWERAI_DATA", DATA);
        env.put("PYTHONUNBUFFERED", "1");
        env.put("HOME", "/tmp");
        return env;
    }

    /** {@code python3 SCRIPT ARGS...}: with a workdir the script is named from the project's root, wherever the run starts. */
    public static List<String> command(TrainSpec spec) {
        List<String> command = new ArrayList<>(List.of("python3", spec.workdir() == null ? spec.script() : PROJECT + "/" + spec.script()));
        command.addAll(spec.args());
        return command;
    }

    public static String workDir(TrainSpec spec) {
        return spec.workdir() == null ? PROJECT : PROJECT + "/" + spec.workdir();
    }

    /**
     * Runs the training; {@code imageOverride} (a pinned reference) replaces the snapshot result's image.
     * A failed run still writes its result and audit record, keeps its log and partial outputs, then throws.
     * With {@code backend: kubernetes} the run is a Job: {@link KubernetesTraining}, credentials from {@code env}.
     */
    public static Map<String, Object> run(StageContext ctx, String imageOverride, Map<String, String> env) {
        ctx.spec().require(STAGE);
        if (ctx.spec().train().kubernetesBackend()) {
            try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
                return KubernetesTraining.of(ctx, env).run(imageOverride);
            }
        }
        return run(ctx, imageOverride);
    }

    /**
     * A run on this agent: in a container, or with {@code backend: native} on the agent's Python. Stopped (the
     * {@link StageContext#cancellation()} aborted), its container or process is killed and the run recorded as aborted.
     */
    public static Map<String, Object> run(StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
            return runHere(ctx, imageOverride);
        }
    }

    private static Map<String, Object> runHere(StageContext ctx, String imageOverride) {
        TrainSpec spec = ctx.spec().train();
        if (spec.kubernetesBackend()) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": backend 'kubernetes' needs the cluster's credentials "
                    + "(KUBECONFIG); run it with powerai train");
        }
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        boolean nativeRun = spec.nativeBackend();
        // A native run has no image: it needs no snapshot, and records instead that its environment is not pinned.
        String image = nativeRun ? null : imageOf(ctx, imageOverride);
        TrainingGpu.Plan gpu = TrainingGpu.plan(ctx, spec, image, events);
        Map<String, Object> environment = nativeRun ? NativeTraining.describe(spec.python()) : null;
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        Path log = stageDir.resolve("train.log");
        resetDirectory(outputs);

        Path projectDir = ctx.spec().projectDir();
        String containerName = Containers.jobName(ctx, "train");
        RunSpec run = nativeRun ? null : runSpec(spec, image, projectDir, outputs, containerName, ownerOf(outputs), gpu.engineGpus())
                .withLabels(Containers.labels(ctx, STAGE, Containers.JOB));
        if (nativeRun) {
            events.warning("backend native: " + spec.script() + " runs on " + environment.get("python") + " (Python "
                    + environment.get("pythonVersion") + ") with no container; the environment is not pinned and the network is the agent's");
        }
        events.progress("running " + spec.script() + (nativeRun ? " natively" : " in " + image)
                + (gpu.usesGpus() ? " with GPUs " + gpu.engineGpus() : " on CPU")
                + (nativeRun ? "" : ", network " + spec.network()) + ", timeout " + Durations.format(spec.timeout()));
        Path samples = stageDir.resolve("gpu-samples.csv");
        deleteIfExists(samples);
        deleteIfExists(stageDir.resolve("metrics.svg"));

        Metrics metrics = new Metrics();
        long started = System.nanoTime();
        ProcessRunner.Result result;
        GpuSampler sampler = null;
        Map<String, Object> telemetry = null;
        try (TrainingLog logFile = TrainingLog.open(log, metrics, events)) {
            if (gpu.sampleIds() != null) {
                sampler = GpuSampler.start(ctx.gpu().nvidiaSmi(), gpu.sampleIds(), ctx.gpu().sampleInterval(), samples,
                        ctx.gpu().reportInterval(), text -> events.progress("gpu " + text));
            }
            try {
                result = nativeRun
                        ? NativeTraining.run(spec, projectDir, NativeTraining.environment(spec, outputs, spec.data(), gpu.cudaVisibleDevices()),
                                spec.timeout(), logFile::line, ctx.cancellation())
                        : ctx.engine().run(run, spec.timeout(), logFile::line);
            } finally {
                if (sampler != null) {
                    telemetry = sampler.stop();
                }
            }
        }
        long durationMillis = (System.nanoTime() - started) / 1_000_000;
        if (!nativeRun && result.exitCode() == ContainerEngine.ENGINE_ERROR && !result.timedOut()) {
            // The engine itself refused (image missing, bad mount): no training ran, so nothing is recorded.
            if (gpu.usesGpus() && TrainingOutcome.gpuSetupFailed(result.output())) {
                throw new PowerAiException.InfrastructureUnavailable(STAGE.stepName() + ": the container engine could not give the "
                        + "container its GPUs: " + result.lastLines(1) + " (is the NVIDIA Container Toolkit installed and configured?)");
            }
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": the container engine could not start the training: "
                    + result.lastLines(1));
        }
        if (telemetry != null && Files.isRegularFile(samples)) {
            telemetry.put("file", ctx.workspace().dir().relativize(samples).toString());
        }
        String failure = TrainingOutcome.failure(result, spec.timeout(), nativeRun);
        Map<String, Object> backendDetails = new TreeMap<>();
        if (environment != null) {
            backendDetails.put("environment", environment);
        }
        if (gpu.record() != null) {
            backendDetails.put("gpuPreflight", gpu.record());
        }
        if (telemetry != null) {
            backendDetails.put("gpuTelemetry", telemetry);
        }
        Map<String, String> extraInputs = new TreeMap<>();
        if (environment != null) {
            extraInputs.put("pythonPackages", "sha256:" + environment.get("packagesDigest"));
        }
        Map<String, String> extraOutputs = new TreeMap<>();
        if (telemetry != null && telemetry.containsKey("file")) {
            extraOutputs.put("gpu-samples.csv", Digests.sha256(samples));
        }
        String gpuUse = sampler == null ? null : "GPU use: " + sampler.summary().describe()
                + (telemetry.containsKey("problem") ? " (" + telemetry.get("problem") + ")" : "");
        return record(ctx, new Ended(image, result.exitCode(), failure, TrainingOutcome.reason(result),
                result.lines().isEmpty() ? null : result.lastLines(1), durationMillis, metrics, backendDetails, extraInputs,
                extraOutputs, gpuUse));
    }

    /**
     * How a run ended, whatever ran it: what {@link #record} turns into the result, the audit record and the outcome.
     *
     * @param failure          why it failed, in words; null when it succeeded
     * @param failureReason    a word for scripts: timeout, killed, oom, exit-code, no-outputs, outputs-missing
     * @param backendDetails   what only this backend knows (GPU preflight, the Kubernetes Job...), in the result and
     *                         the audit record's details
     * @param extraInputs      inputs beyond image, code and data (e.g. the packages of a native run)
     * @param extraOutputs     outputs beyond the files, the log and the chart, by digest
     * @param summary          a last line to show (e.g. GPU use), or null
     */
    public record Ended(String image, int exitCode, String failure, String failureReason, String lastLine, long durationMillis,
                 Metrics metrics, Map<String, Object> backendDetails, Map<String, String> extraInputs,
                 Map<String, String> extraOutputs, String summary) {
    }

    /** The image to train in: the override, else the snapshot's; a one-line error when it is not a reference. */
    public static String imageOf(StageContext ctx, String imageOverride) {
        String image = imageOverride != null ? imageOverride
                : String.valueOf(ctx.workspace().requireResult(Stage.SNAPSHOT, STAGE).get("image"));
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
        Path file = ctx.workspace().resultFile(Stage.SNAPSHOT);
        if (Files.isRegularFile(file)) {
            try {
                Map<String, Object> snapshot = Json.readObject(file);
                if (image.equals(snapshot.get("image")) && snapshot.get("snapshotId") instanceof String id) {
                    return id;
                }
            } catch (IOException e) {
                // an unreadable result tells nothing; the tag may
            }
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
    public static Map<String, Object> record(StageContext ctx, Ended run) {
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
            ended = new Ended(ended.image(), ended.exitCode(), e.getMessage(), "unsafe-outputs", ended.lastLine(), ended.durationMillis(),
                    ended.metrics(), ended.backendDetails(), ended.extraInputs(), ended.extraOutputs(), ended.summary());
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
        String revision = ScoringImage.Source.of(projectDir).revision();
        if (revision != null) {
            inputs.put("revision", revision);
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
        Map<String, Object> details = new TreeMap<>(ended.backendDetails());
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
                        inputs.get("code"), revision, ScoringImage.Source.of(projectDir).url(), inputs.get("data"), ended.backendDetails());
        if (attestations != null) {
            details.put("attestations", attestations.toJson());
        }
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), status, inputs, auditOutputs, details));

        Json.writeAtomically(stageDir.resolve("metrics.json"), Json.pretty(Map.of("final", metrics.finalValues(),
                "points", metrics.points())));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", 1);
        out.put("stage", STAGE.stepName());
        out.put("status", status);
        if (ended.image() != null) {
            out.put("image", ended.image());
        }
        out.put("backend", spec.backend());
        out.put("environmentPinned", TrainingOutcome.pinned(ended.image()));
        out.putAll(ended.backendDetails());
        out.put("script", spec.script());
        out.put("args", spec.args());
        out.put("gpus", spec.gpus());
        out.put("exitCode", ended.exitCode());
        out.put("durationMillis", ended.durationMillis());
        out.put("metrics", metrics.finalValues());
        if (chartFile != null) {
            out.put("metricsChart", chartFile);
        }
        out.put("outputsDir", ctx.workspace().dir().relativize(outputs).toString());
        out.put("outputs", outputFiles);
        out.put("log", ctx.workspace().dir().relativize(log).toString());
        out.put("codeDigest", inputs.get("code"));
        if (inputs.containsKey("data")) {
            out.put("dataDigest", inputs.get("data"));
        }
        if (snapshotId != null) {
            out.put("snapshotId", snapshotId);
        }
        if (revision != null) {
            out.put("revision", revision);
        }
        if (ended.failure() != null) {
            out.put("failure", ended.failure());
            out.put("failureReason", ended.failureReason());
        }
        if (attestations != null) {
            out.put("attestations", attestations.toJson());
        }
        out.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, out);
        if (ended.summary() != null) {
            events.progress(ended.summary());
        }
        if (unsafeOutputs != null) {
            throw unsafeOutputs;
        }
        if (ended.failure() != null) {
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": " + ended.failure() + "; log kept at " + log
                    + (ended.lastLine() == null ? "" : " (last line: " + ended.lastLine() + ")"));
        }
        events.progress("done in " + ended.durationMillis() + " ms; " + outputFiles.size() + " output file(s); metrics "
                + metrics.finalValues());
        return out;
    }

    /** "uid:gid" of the outputs folder, so files the container writes belong to whoever runs the stage. */
    private static String ownerOf(Path dir) {
        try {
            Object uid = Files.getAttribute(dir, "unix:uid");
            Object gid = Files.getAttribute(dir, "unix:gid");
            return uid + ":" + gid;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
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
