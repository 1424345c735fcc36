package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.engine.Mount;
import io.powerai.core.engine.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.gpu.GpuSampler;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.Durations;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.workspace.Workspace;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

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
    private static final Set<String> NOT_CODE = Set.of(Workspace.DIR_NAME, ".git");

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
        Map<String, String> env = new TreeMap<>(spec.env());
        env.put("POWERAI_OUTPUTS", OUTPUTS);
        env.put("POWERAI_DATA", DATA);
        env.put("PYTHONUNBUFFERED", "1");
        env.put("HOME", "/tmp");
        // With a workdir the script is named from the project's root, wherever the run starts.
        List<String> command = new ArrayList<>(List.of("python3", spec.workdir() == null ? spec.script() : PROJECT + "/" + spec.script()));
        command.addAll(spec.args());
        return RunSpec.of(image, command)
                .withName(containerName)
                .withMounts(mounts)
                .withEnv(env)
                .withNetwork(spec.network())
                .withWorkDir(spec.workdir() == null ? PROJECT : PROJECT + "/" + spec.workdir())
                .withUser(user)
                .withGpus(gpus)
                .withShmSize(spec.shmSize())
                .withUlimits(spec.ulimits())
                .withLabels(Map.of("io.powerai.managed", "true", "io.powerai.stage", STAGE.stepName()));
    }

    /**
     * Runs the training; {@code imageOverride} (a pinned reference) replaces the snapshot result's image.
     * A failed run still writes its result and audit record, keeps its log and partial outputs, then throws.
     */
    public static Map<String, Object> run(StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        TrainSpec spec = ctx.spec().train();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        boolean nativeRun = spec.nativeBackend();
        // A native run has no image: it needs no snapshot, and records instead that its environment is not pinned.
        String image = nativeRun ? null : image(ctx, imageOverride);
        TrainingGpu.Plan gpu = TrainingGpu.plan(ctx, spec, image, events);
        Map<String, Object> environment = nativeRun ? NativeTraining.describe(spec.python()) : null;
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        Path log = stageDir.resolve("train.log");
        resetDirectory(outputs);

        Path projectDir = ctx.spec().projectDir();
        String containerName = "powerai-train-" + ctx.spec().name() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        RunSpec run = nativeRun ? null : runSpec(spec, image, projectDir, outputs, containerName, ownerOf(outputs), gpu.engineGpus());
        if (nativeRun) {
            events.warning("backend native: " + spec.script() + " runs on " + environment.get("python") + " (Python "
                    + environment.get("pythonVersion") + ") with no container; the environment is not pinned and the network is the agent's");
        }
        events.progress("running " + spec.script() + (nativeRun ? " natively" : " in " + image)
                + (gpu.usesGpus() ? " with GPUs " + gpu.engineGpus() : " on CPU")
                + (nativeRun ? "" : ", network " + spec.network()) + ", timeout " + Durations.format(spec.timeout()));
        Path samples = stageDir.resolve("gpu-samples.csv");
        Path chart = stageDir.resolve("metrics.svg");
        deleteIfExists(samples);
        deleteIfExists(chart);

        Metrics metrics = new Metrics();
        long started = System.nanoTime();
        ProcessRunner.Result result;
        GpuSampler sampler = null;
        Map<String, Object> telemetry = null;
        try (BufferedWriter logFile = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            Consumer<String> onLine = line -> {
                synchronized (logFile) {
                    try {
                        logFile.write(line);
                        logFile.newLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                Metrics.Point point = metrics.accept(line);
                events.log(point == null ? line : "metric " + point.name() + "=" + point.value()
                        + (point.step() == null ? "" : " (step " + point.step() + ")"));
            };
            if (gpu.sampleIds() != null) {
                sampler = GpuSampler.start(ctx.gpu().nvidiaSmi(), gpu.sampleIds(), ctx.gpu().sampleInterval(), samples,
                        ctx.gpu().reportInterval(), text -> events.progress("gpu " + text));
            }
            try {
                result = nativeRun
                        ? NativeTraining.run(spec, projectDir, NativeTraining.environment(spec, outputs, spec.data(), gpu.cudaVisibleDevices()),
                                spec.timeout(), onLine)
                        : ctx.engine().run(run, spec.timeout(), onLine);
            } finally {
                if (sampler != null) {
                    telemetry = sampler.stop();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training log " + log + ": " + e.getMessage(), e);
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

        return record(ctx, new Finished(image, environment, gpu, result, durationMillis, metrics, telemetry,
                sampler == null ? null : sampler.summary().describe(), null));
    }

    /** The image to train in: {@code imageOverride} (the step's 'image'), else the last snapshot's, pinned. */
    static String image(StageContext ctx, String imageOverride) {
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
     * What a finished training left, however it ran (a container, the agent's Python, the training container of a
     * Kubernetes agent pod): the result of the process (its exit code, and its output as lines), how long it took,
     * the metrics read from its output, and GPU use when it was sampled ({@code telemetrySummary}: one line).
     */
    record Finished(String image, Map<String, Object> environment, TrainingGpu.Plan gpu, ProcessRunner.Result result,
                    long durationMillis, Metrics metrics, Map<String, Object> telemetry, String telemetrySummary,
                    Map<String, Object> placement) {
    }

    /**
     * Hashes the outputs, draws the metrics chart, appends the audit record and writes the result; a failed run is
     * recorded the same way, then the stage fails.
     */
    static Map<String, Object> record(StageContext ctx, Finished finished) {
        TrainSpec spec = ctx.spec().train();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        boolean nativeRun = spec.nativeBackend();
        String image = finished.image();
        Map<String, Object> environment = finished.environment();
        TrainingGpu.Plan gpu = finished.gpu();
        ProcessRunner.Result result = finished.result();
        long durationMillis = finished.durationMillis();
        Metrics metrics = finished.metrics();
        Map<String, Object> telemetry = finished.telemetry();
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        Path log = stageDir.resolve("train.log");
        Path samples = stageDir.resolve("gpu-samples.csv");
        Path chart = stageDir.resolve("metrics.svg");
        Path projectDir = ctx.spec().projectDir();

        Map<String, String> outputFiles = Digests.sha256Tree(outputs);
        String status = result.exitCode() == 0 && !result.timedOut() ? "succeeded" : "failed";
        String failure = result.timedOut()
                ? "timed out after " + Durations.format(spec.timeout()) + " and was stopped"
                : result.exitCode() != 0 ? TrainingOutcome.exitFailure(result.exitCode(), nativeRun) : null;
        String failureReason = TrainingOutcome.reason(result);
        if (outputFiles.isEmpty() && failure == null) {
            events.warning("the training wrote no file to $POWERAI_OUTPUTS: there is no model to hash or to hand on");
        }
        String chartFile = null;
        String svg = MetricsChart.render(metrics.points());
        if (svg != null) {
            Json.writeAtomically(chart, svg);
            chartFile = ctx.workspace().dir().relativize(chart).toString();
        }
        if (telemetry != null && Files.isRegularFile(samples)) {
            telemetry.put("file", ctx.workspace().dir().relativize(samples).toString());
        }

        Map<String, String> inputs = new TreeMap<>();
        if (image != null) {
            inputs.put("image", image);
        } else {
            inputs.put("pythonPackages", "sha256:" + environment.get("packagesDigest"));
        }
        inputs.put("code", Digests.sha256OfTree(projectDir, NOT_CODE));
        if (spec.data() != null) {
            inputs.put("data", Digests.sha256OfTree(spec.data()));
        }
        Map<String, String> auditOutputs = new TreeMap<>();
        outputFiles.forEach((path, sha) -> auditOutputs.put("outputs/" + path, sha));
        auditOutputs.put("train.log", Digests.sha256(log));
        if (chartFile != null) {
            auditOutputs.put("metrics.svg", Digests.sha256(chart));
        }
        if (telemetry != null && telemetry.containsKey("file")) {
            auditOutputs.put("gpu-samples.csv", Digests.sha256(samples));
        }
        Map<String, Object> details = new TreeMap<>();
        details.put("script", spec.script());
        details.put("args", spec.args());
        details.put("gpus", spec.gpus());
        details.put("exitCode", result.exitCode());
        details.put("durationMillis", durationMillis);
        details.put("metrics", metrics.finalValues());
        if (failure != null) {
            details.put("failure", failure);
            details.put("failureReason", failureReason);
        }
        details.put("backend", spec.backend());
        if (finished.placement() != null) {
            details.put("placement", finished.placement());
        }
        details.put("environmentPinned", TrainingOutcome.pinned(image));
        if (environment != null) {
            details.put("environment", environment);
        }
        if (gpu.record() != null) {
            details.put("gpuPreflight", gpu.record());
        }
        if (telemetry != null) {
            details.put("gpuTelemetry", telemetry);
        }
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), status, inputs, auditOutputs, details));

        Json.writeAtomically(stageDir.resolve("metrics.json"), Json.pretty(Map.of("final", metrics.finalValues(),
                "points", metrics.points())));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", 1);
        out.put("stage", STAGE.stepName());
        out.put("status", status);
        if (image != null) {
            out.put("image", image);
        }
        out.put("backend", spec.backend());
        if (finished.placement() != null) {
            out.put("placement", finished.placement());
        }
        out.put("environmentPinned", TrainingOutcome.pinned(image));
        if (environment != null) {
            out.put("environment", environment);
        }
        out.put("script", spec.script());
        out.put("args", spec.args());
        out.put("gpus", spec.gpus());
        out.put("exitCode", result.exitCode());
        out.put("durationMillis", durationMillis);
        out.put("metrics", metrics.finalValues());
        if (chartFile != null) {
            out.put("metricsChart", chartFile);
        }
        if (gpu.record() != null) {
            out.put("gpuPreflight", gpu.record());
        }
        if (telemetry != null) {
            out.put("gpuTelemetry", telemetry);
        }
        out.put("outputsDir", ctx.workspace().dir().relativize(outputs).toString());
        out.put("outputs", outputFiles);
        out.put("log", ctx.workspace().dir().relativize(log).toString());
        out.put("codeDigest", inputs.get("code"));
        if (inputs.containsKey("data")) {
            out.put("dataDigest", inputs.get("data"));
        }
        if (failure != null) {
            out.put("failure", failure);
            out.put("failureReason", failureReason);
        }
        out.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, out);
        if (finished.telemetrySummary() != null) {
            events.progress("GPU use: " + finished.telemetrySummary()
                    + (telemetry != null && telemetry.containsKey("problem") ? " (" + telemetry.get("problem") + ")" : ""));
        }
        if (failure != null) {
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": " + failure + "; log kept at " + log
                    + (result.lines().isEmpty() ? "" : " (last line: " + result.lastLines(1) + ")"));
        }
        events.progress("done in " + durationMillis + " ms; " + outputFiles.size() + " output file(s); metrics " + metrics.finalValues());
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

    static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    static void resetDirectory(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset " + dir + ": " + e.getMessage(), e);
        }
    }
}
