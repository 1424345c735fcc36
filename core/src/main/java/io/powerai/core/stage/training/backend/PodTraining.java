package io.powerai.core.stage.training.backend;

import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.gpu.GpuInventory;
import io.powerai.core.gpu.GpuSampler;
import io.powerai.core.gpu.GpuStack;
import io.powerai.core.gpu.NvidiaSmi;
import io.powerai.core.gpu.NvidiaSmiFormatException;
import io.powerai.core.gpu.NvidiaSmiXml;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.TrainingPodTemplate;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.Resources;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.BackendFacts;
import io.powerai.core.stage.training.Metrics;
import io.powerai.core.stage.training.Placement;
import io.powerai.core.stage.training.TrainingGpu;
import io.powerai.core.stage.training.TrainingOutcome;
import io.powerai.core.stage.training.TrainingRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * gpuTrain on a Jenkins Kubernetes agent: the step runs inside {@code podTemplate} with the pod that
 * {@code powerai pod-template} rendered, whose agent container has Java (and so this CLI) and whose
 * {@value TrainingPodTemplate#CONTAINER} container is the snapshot image (with the GPUs). Neither can do the
 * whole run, so it has three parts over the workspace both containers mount at the same path:
 * <ol>
 *   <li>{@link #prepare}, in the agent container: checks the spec, empties the outputs, and writes a small
 *   standard-library Python runner with its configuration;</li>
 *   <li>the step runs {@code python3 RUNNER CONFIG} in the training container: nvidia-smi's view of the GPUs,
 *   sampling during the run, the training with its timeout (the whole process group), the log, the exit status;</li>
 *   <li>{@link #record}, in the agent container: reads what the runner left and records it exactly as a training
 *   on a GPU agent is recorded (outputs hashed, metrics, chart, GPU use, the audit record).</li>
 * </ol>
 * The GPUs are the scheduler's to give ({@code nvidia.com/gpu} limits in the pod): there is no preflight to pass,
 * only what nvidia-smi saw inside the container, recorded.
 */
public final class PodTraining implements TrainingBackend {
    public static final String RUNNER = "pod_train_runner.py";
    public static final String CONFIG = "pod-run.json";
    static final String EXIT = "pod-exit.json";
    static final String GPU_XML = "nvidia-smi.xml";
    static final String RAW_SAMPLES = "gpu-samples.raw.csv";
    private static final String RUNNER_RESOURCE = "/io/powerai/core/stage/training/backend/" + RUNNER;
    private static final Stage STAGE = Stage.TRAIN;

    private final StageContext ctx;
    private final TrainSpec spec;
    private final StageEvents events;

    /** The backend of a run on an agent pod, which only a container spec can have. */
    public PodTraining(StageContext ctx) {
        ctx.spec().require(STAGE);
        this.ctx = ctx;
        this.spec = ctx.spec().train();
        this.events = ctx.events().forStage(STAGE.stepName());
        requireContainerBackend(spec);
    }

    /** Writes the runner and its configuration; returns their paths relative to the workspace's parent (the step's folder). */
    public Map<String, Object> prepare(String imageOverride) {
        String image = TrainingRun.imageOf(ctx, imageOverride);
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        TrainingRun.resetDirectory(outputs);
        for (String stale : List.of(EXIT, GPU_XML, RAW_SAMPLES, "train.log", "gpu-samples.csv", "metrics.svg")) {
            TrainingRun.deleteIfExists(stageDir.resolve(stale));
        }
        Path projectDir = ctx.spec().projectDir();
        Map<String, String> env = new TreeMap<>(spec.env());
        env.put("POWERAI_OUTPUTS", outputs.toString());
        env.put("POWERAI_DATA", spec.data() == null ? "" : spec.data().toString());
        env.put("PYTHONUNBUFFERED", "1");
        List<String> command = new ArrayList<>(List.of("python3", projectDir.resolve(spec.script()).toString()));
        command.addAll(spec.args());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("image", image);
        config.put("command", command);
        config.put("cwd", (spec.workdir() == null ? projectDir : projectDir.resolve(spec.workdir())).toString());
        config.put("env", env);
        config.put("timeoutSeconds", Math.max(1, spec.timeout().toSeconds()));
        config.put("log", stageDir.resolve("train.log").toString());
        config.put("exit", stageDir.resolve(EXIT).toString());
        config.put("gpuXml", stageDir.resolve(GPU_XML).toString());
        config.put("samples", stageDir.resolve(RAW_SAMPLES).toString());
        config.put("sampleFields", spec.wantsGpus() ? NvidiaSmi.SAMPLE_FIELDS : List.of());
        config.put("sampleIntervalMillis", Math.max(100, ctx.gpu().sampleInterval().toMillis()));
        Path configFile = stageDir.resolve(CONFIG);
        Path runnerFile = stageDir.resolve(RUNNER);
        Json.writeAtomically(configFile, Json.pretty(config));
        Json.writeAtomically(runnerFile, new String(runner(), StandardCharsets.UTF_8));
        events.progress("prepared " + spec.script() + " for the '" + TrainingPodTemplate.CONTAINER + "' container of this pod ("
                + image + (spec.wantsGpus() ? ", GPUs " + spec.gpus() + " from the pod's limits" : ", CPU") + ")");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("container", TrainingPodTemplate.CONTAINER);
        out.put("runner", runnerFile.toString());
        out.put("config", configFile.toString());
        return out;
    }

    /** The GPUs are the pod's limits: there is nothing to check on the agent container. */
    @Override
    public Map<String, Object> preflight(String image) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stage", STAGE.stepName());
        out.put("backend", spec.backend());
        out.put("requested", spec.gpus());
        out.put("decision", "pod");
        out.put("note", "on a Kubernetes agent pod the pod's limits give the GPUs to its '" + TrainingPodTemplate.CONTAINER
                + "' container; nothing is checked here");
        return out;
    }

    /**
     * What the training container left after {@link #prepare}: the step ran the runner there; here, in the agent
     * container, its exit status, log and GPU view are read ({@code imageOverride} is not used: the run's image was
     * fixed when it was prepared).
     */
    @Override
    public TrainingRun.Ended train(String imageOverride) {
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Map<String, Object> config = readJson(stageDir.resolve(CONFIG), "the pod run was not prepared (run 'powerai train --pod prepare' first)");
        Map<String, Object> exit = readJson(stageDir.resolve(EXIT), "the training container did not finish the run: no "
                + EXIT + " (was '" + RUNNER + "' run in the '" + TrainingPodTemplate.CONTAINER + "' container, and did the pod survive?)");
        int exitCode = ((Number) exit.get("exitCode")).intValue();
        boolean timedOut = Boolean.TRUE.equals(exit.get("timedOut"));
        List<String> lines = readLines(stageDir.resolve("train.log"));
        Metrics metrics = new Metrics();
        lines.forEach(metrics::accept);
        Map<String, Object> gpuRecord = null;
        Map<String, Object> telemetry = null;
        String telemetrySummary = null;
        if (spec.wantsGpus()) {
            gpuRecord = gpuRecord(stageDir.resolve(GPU_XML), Boolean.TRUE.equals(exit.get("nvidiaSmi")));
            Path raw = stageDir.resolve(RAW_SAMPLES);
            GpuSampler replay = GpuSampler.replay(Files.isRegularFile(raw) ? readLines(raw) : List.of(),
                    Files.isRegularFile(raw) ? null : "nvidia-smi was not found in the training container",
                    java.time.Duration.ofMillis(((Number) config.get("sampleIntervalMillis")).longValue()), stageDir.resolve("gpu-samples.csv"));
            telemetry = replay.stop();
            telemetry.put("file", ctx.workspace().dir().relativize(stageDir.resolve("gpu-samples.csv")).toString());
            telemetrySummary = replay.summary().describe();
        }
        ProcessRunner.Result result = new ProcessRunner.Result(exitCode, lines, timedOut);
        String failure = TrainingOutcome.failure(result, spec.timeout(), Placement.CONTAINER);
        BackendFacts facts = new BackendFacts(null, gpuRecord, TrainingGpu.telemetry(telemetry), null,
                new TrainingResult.AgentPodPlacement("jenkins-kubernetes-agent-pod", TrainingPodTemplate.CONTAINER));
        Map<String, String> extraOutputs = new TreeMap<>();
        if (telemetry != null) {
            extraOutputs.put("gpu-samples.csv", io.powerai.core.json.Digests.sha256(stageDir.resolve("gpu-samples.csv")));
        }
        return new TrainingRun.Ended(String.valueOf(config.get("image")), exitCode, failure,
                TrainingOutcome.reason(result), lines.isEmpty() ? null : result.lastLines(1),
                ((Number) exit.get("durationMillis")).longValue(), metrics, facts, Map.of(), extraOutputs,
                telemetrySummary == null ? null : "GPU use: " + telemetrySummary
                        + (telemetry.containsKey("problem") ? " (" + telemetry.get("problem") + ")" : ""));
    }

    /** What the result keeps of the GPUs: nvidia-smi's view from inside the container; the pod's limits gave them. */
    private Map<String, Object> gpuRecord(Path xml, boolean nvidiaSmiFound) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("policy", "pod");
        record.put("requested", spec.gpus());
        if (!nvidiaSmiFound || !Files.isRegularFile(xml)) {
            record.put("decision", "unknown");
            events.warning("nvidia-smi was not found in the training container: which GPUs the pod got is not recorded");
            return record;
        }
        try {
            String text = Files.readString(xml, StandardCharsets.UTF_8);
            int start = text.indexOf("<?xml");
            GpuInventory inventory = NvidiaSmiXml.parse(start < 0 ? text : text.substring(start));
            record.put("decision", inventory.count() > 0 ? "gpu" : "cpu");
            record.put("driverVersion", inventory.driverVersion());
            record.put("cudaVersion", inventory.cudaVersion());
            record.put("gpus", inventory.summary());
            if (inventory.count() > 0) {
                TrainingGpu.compareWithSnapshot(ctx, GpuStack.of(inventory, ctx.spec().environment() == null ? null
                        : ctx.spec().environment().cudnn()), record, events);
            } else {
                events.warning("the training container saw no GPU although the pod asked for " + spec.gpus());
            }
        } catch (IOException | NvidiaSmiFormatException e) {
            record.put("decision", "unknown");
            record.put("problem", "nvidia-smi's output cannot be read: " + e.getMessage());
        }
        return record;
    }

    private static void requireContainerBackend(TrainSpec spec) {
        if (TrainSpec.KUBERNETES.equals(spec.backend())) {
            throw PowerAiException.InvalidInput.bare("'backend' is 'kubernetes', a Job the CLI submits itself;"
                    + " on a Kubernetes agent pod the training runs in the pod's '" + TrainingPodTemplate.CONTAINER
                    + "' container: remove 'backend' or 'kubernetesAgent'");
        }
        if (TrainSpec.NATIVE.equals(spec.backend())) {
            throw PowerAiException.InvalidInput.bare("'backend' is 'native', which has no meaning on a Kubernetes"
                    + " agent pod (the training runs in the pod's '" + TrainingPodTemplate.CONTAINER + "' container); remove it");
        }
    }

    private static Map<String, Object> readJson(Path file, String whenMissing) {
        if (!Files.isRegularFile(file)) {
            throw PowerAiException.StageFailed.bare(whenMissing);
        }
        try {
            return Json.readObject(file);
        } catch (IOException e) {
            throw PowerAiException.StageFailed.bare("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The file's lines; bytes that are not UTF-8 (a script may print anything) become U+FFFD. */
    private static List<String> readLines(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            return text.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static byte[] runner() {
        return Resources.read(RUNNER_RESOURCE, "the pod training runner");
    }
}
