package io.powerai.core.stage.training.backend;

import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.gpu.GpuSampler;
import io.powerai.core.json.Digests;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Durations;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.BackendFacts;
import io.powerai.core.stage.training.Metrics;
import io.powerai.core.stage.training.Placement;
import io.powerai.core.stage.training.TrainingGpu;
import io.powerai.core.stage.training.TrainingLog;
import io.powerai.core.stage.training.TrainingOutcome;
import io.powerai.core.stage.training.TrainingPreflight;
import io.powerai.core.stage.training.TrainingRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A training on this agent, in a container or on the agent's Python: the GPU preflight and what follows from it,
 * the log, the metrics and the GPU sampling during the run are the same for both; what starts the process differs.
 */
abstract sealed class AgentTraining implements TrainingBackend permits ContainerTraining, NativeTraining {
    static final Stage STAGE = Stage.TRAIN;

    final StageContext ctx;
    final TrainSpec spec;
    final StageEvents events;

    AgentTraining(StageContext ctx) {
        this.ctx = ctx;
        this.spec = ctx.spec().train();
        this.events = ctx.events().forStage(STAGE.stepName());
    }

    abstract Placement placement();

    /** The image the run uses ({@code imageOverride} or the snapshot's), or null when it uses none. */
    abstract String image(String imageOverride);

    /** The image whose declared CUDA version the preflight checks, or null for none. */
    abstract String imageToCheck(String image);

    /** What the run needs before its folders are emptied (a native run describes its interpreter); may throw. */
    TrainingResult.NativeEnvironment environment() {
        return null;
    }

    /** The process, ready to start, once the outputs folder is empty. */
    abstract Launch launch(String image, TrainingGpu.Plan gpu, Path outputs, TrainingResult.NativeEnvironment environment);

    /** One run about to start: where it runs, in words for the progress line, and how to run it. */
    interface Launch {
        /** " natively", " in IMAGE" */
        String where();

        /** ", network none", or nothing where the network is not the run's to choose. */
        String network();

        ProcessRunner.Result run(Consumer<String> onLine);

        /** Throws when the run never started (the engine refused it): then nothing is recorded. */
        default void requireStarted(ProcessRunner.Result result, TrainingGpu.Plan gpu) {
        }
    }

    @Override
    public Map<String, Object> preflight(String image) {
        return TrainingPreflight.describe(spec, TrainingGpu.plan(ctx, spec, imageToCheck(image), placement(), events));
    }

    @Override
    public TrainingRun.Ended train(String imageOverride) {
        String image = image(imageOverride);
        TrainingGpu.Plan gpu = TrainingGpu.plan(ctx, spec, image, placement(), events);
        TrainingResult.NativeEnvironment environment = environment();
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        Path log = stageDir.resolve("train.log");
        TrainingRun.resetDirectory(outputs);
        Launch launch = launch(image, gpu, outputs, environment);
        events.progress("running " + spec.script() + launch.where()
                + (gpu.usesGpus() ? " with GPUs " + gpu.engineGpus() : " on CPU")
                + launch.network() + ", timeout " + Durations.format(spec.timeout()));
        Path samples = stageDir.resolve("gpu-samples.csv");
        TrainingRun.deleteIfExists(samples);
        TrainingRun.deleteIfExists(stageDir.resolve("metrics.svg"));

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
                result = launch.run(logFile::line);
            } finally {
                if (sampler != null) {
                    telemetry = sampler.stop();
                }
            }
        }
        long durationMillis = (System.nanoTime() - started) / 1_000_000;
        launch.requireStarted(result, gpu);
        if (telemetry != null && Files.isRegularFile(samples)) {
            telemetry.put("file", ctx.workspace().dir().relativize(samples).toString());
        }
        String failure = TrainingOutcome.failure(result, spec.timeout(), placement());
        Map<String, String> extraInputs = new TreeMap<>();
        if (environment != null) {
            extraInputs.put("pythonPackages", "sha256:" + environment.packagesDigest());
        }
        Map<String, String> extraOutputs = new TreeMap<>();
        if (telemetry != null && telemetry.containsKey("file")) {
            extraOutputs.put("gpu-samples.csv", Digests.sha256(samples));
        }
        String gpuUse = sampler == null ? null : "GPU use: " + sampler.summary().describe()
                + (telemetry.containsKey("problem") ? " (" + telemetry.get("problem") + ")" : "");
        BackendFacts facts = new BackendFacts(environment, gpu.record(), TrainingGpu.telemetry(telemetry), null, null);
        return new TrainingRun.Ended(image, result.exitCode(), failure, TrainingOutcome.reason(result),
                result.lines().isEmpty() ? null : result.lastLines(1), durationMillis, metrics, facts, extraInputs,
                extraOutputs, gpuUse);
    }
}
