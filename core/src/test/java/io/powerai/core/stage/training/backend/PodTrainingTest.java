package io.powerai.core.stage.training.backend;

import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.Event;
import io.powerai.core.gpu.GpuFixtures;
import io.powerai.core.gpu.GpuTools;
import io.powerai.core.gpu.NvidiaSmi;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.TrainingRun;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The three parts of a training on a Jenkins Kubernetes agent pod, with the middle one (the runner in the training
 * container) run for real by this machine's python3, as the step runs it in the pod's training container; the
 * GPU host's nvidia-smi is a script that answers as the recorded H100 host did.
 */
class PodTrainingTest {
    private static final String IMAGE = "127.0.0.1:5000/demo-env@sha256:" + "ab".repeat(32);
    private static final String SCRIPT = String.join("\n",
            "import json, os, sys, time, subprocess",
            "mode = sys.argv[1] if len(sys.argv) > 1 else 'ok'",
            "print('cwd=' + os.getcwd())",
            "for step in range(3):",
            "    print(json.dumps({'metric': 'accuracy', 'value': 0.5 + step / 10, 'step': step}), flush=True)",
            "if mode == 'hang':",
            "    child = subprocess.Popen(['sleep', '300'])",
            "    print('child=' + str(child.pid), flush=True)",
            "    time.sleep(300)",
            "if mode == 'gpu': time.sleep(0.6)",
            "if mode == 'kill': os.kill(os.getpid(), 9)",
            "open(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.bin'), 'w').write('weights')",
            "");

    @TempDir
    Path tmp;
    private Path project;
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void createProject() throws Exception {
        project = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(project.resolve("train.py"), SCRIPT);
    }

    private StageContext context(Map<String, Object> train) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "demo");
        params.put("script", "train.py");
        params.putAll(train);
        PipelineSpec spec = PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline();
        GpuTools tools = new GpuTools(new NvidiaSmi(tmp.resolve("unused").toString(), new ProcessRunner()), List.of(), "",
                Duration.ofMillis(100), Duration.ofSeconds(30));
        Clock clock = Clock.systemUTC();
        return new StageContext(spec, new Workspace(project, clock), null, new RegistryClient(), events::add, clock, tools);
    }

    /** What the step does in the training container: python3 RUNNER CONFIG, with {@code path} first on the PATH. */
    private ProcessRunner.Result runInTrainingContainer(Map<String, Object> prepared, Path path) throws Exception {
        Map<String, String> env = path == null ? Map.of() : Map.of("PATH", path + ":" + System.getenv("PATH"));
        return new ProcessRunner(env).run(List.of("python3", prepared.get("runner").toString(), prepared.get("config").toString()),
                project, Duration.ofSeconds(60), line -> { });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void cpuRun_preparedRunInTheContainer_recordedLikeAnyTraining() throws Exception {
        StageContext ctx = context(Map.of());
        Map<String, Object> prepared = new PodTraining(ctx).prepare(IMAGE);
        assertThat(prepared).containsEntry("container", "train");

        ProcessRunner.Result ran = runInTrainingContainer(prepared, null);
        assertThat(ran.exitCode()).isZero();
        assertThat(ran.output()).contains("cwd=" + project);

        Map<String, Object> result = StageResults.toMap(TrainingRun.recordAgentPod(ctx));
        assertThat(result).containsEntry("status", "succeeded").containsEntry("image", IMAGE).containsEntry("exitCode", 0)
                .containsEntry("placement", Map.of("kind", "jenkins-kubernetes-agent-pod", "container", "train"))
                .doesNotContainKey("gpuPreflight");
        assertThat(result.get("outputs")).isEqualTo(Map.of("model.bin", Digests.sha256("weights")));
        assertThat(result.get("metrics")).isEqualTo(Map.of("accuracy", 0.7));
        assertThat(project.resolve(".powerai/train/metrics.svg")).exists();
        List<String> audit = Files.readAllLines(project.resolve(".powerai/audit.jsonl"));
        Map<String, Object> record = Json.parseObject(audit.get(audit.size() - 1));
        assertThat(map(record.get("details"))).containsKey("placement");
        assertThat(map(record.get("outputs"))).containsKeys("outputs/model.bin", "train.log", "metrics.svg");
        assertThat(map(record.get("inputs"))).containsEntry("image", IMAGE).containsKey("code");
    }

    @Test
    void gpuRun_nvidiaSmiInTheContainer_gpusAndTheirUseRecorded() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = GpuFixtures.fakeNvidiaSmi(Files.createDirectories(tmp.resolve("smi")), "h100", "h100/gpu-samples.csv");
        Files.createSymbolicLink(bin.resolve("nvidia-smi"), fake);
        StageContext ctx = context(Map.of("gpus", 1, "args", List.of("gpu")));

        runInTrainingContainer(new PodTraining(ctx).prepare(IMAGE), bin);
        Map<String, Object> result = StageResults.toMap(TrainingRun.recordAgentPod(ctx));

        Map<String, Object> preflight = map(result.get("gpuPreflight"));
        assertThat(preflight).containsEntry("policy", "pod").containsEntry("decision", "gpu").containsEntry("driverVersion", "580.159.04")
                .containsEntry("gpus", "0 (1 x NVIDIA H100 80GB HBM3)").containsKey("gpuStack");
        Map<String, Object> telemetry = map(result.get("gpuTelemetry"));
        assertThat(((Number) telemetry.get("samples")).longValue()).isPositive();
        assertThat(telemetry).containsEntry("file", "train/gpu-samples.csv").doesNotContainKey("problem");
        assertThat(Files.readAllLines(project.resolve(".powerai/train/gpu-samples.csv")).get(0)).startsWith("timestamp,index,");
        assertThat(events).anySatisfy(e -> assertThat(e.message()).startsWith("GPU use: GPU 0: utilization mean"));
    }

    @Test
    void gpuRun_noNvidiaSmiInTheContainer_warnsAndRecordsUnknown() throws Exception {
        StageContext ctx = context(Map.of("gpus", 1));
        runInTrainingContainer(new PodTraining(ctx).prepare(IMAGE), Files.createDirectories(tmp.resolve("empty-bin")));

        Map<String, Object> result = StageResults.toMap(TrainingRun.recordAgentPod(ctx));

        assertThat(result).containsEntry("status", "succeeded");
        assertThat(map(result.get("gpuPreflight"))).containsEntry("decision", "unknown");
        assertThat(map(result.get("gpuTelemetry"))).containsEntry("problem", "sampling could not start: nvidia-smi was not found in the training container");
    }

    @Test
    void timeout_stopsTheWholeProcessGroup_recordedAsFailed() throws Exception {
        StageContext ctx = context(Map.of("timeout", "2s", "args", List.of("hang")));
        ProcessRunner.Result ran = runInTrainingContainer(new PodTraining(ctx).prepare(IMAGE), null);
        long child = Long.parseLong(ran.lines().stream().filter(l -> l.startsWith("child=")).findFirst().orElseThrow().substring(6));

        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> StageResults.toMap(TrainingRun.recordAgentPod(ctx)));

        assertThat(e).isInstanceOf(PowerAiException.StageFailed.class);
        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: timed out after 2s and was stopped");
        assertThat(Json.readObject(project.resolve(".powerai/gpuTrain.json"))).containsEntry("status", "failed")
                .containsEntry("failureReason", "timeout");
        ProcessHandle.of(child).ifPresent(h -> h.onExit().join());
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void killed_exit137_reportedAsTheOomKillersSignal() throws Exception {
        StageContext ctx = context(Map.of("args", List.of("kill")));
        runInTrainingContainer(new PodTraining(ctx).prepare(IMAGE), null);

        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> StageResults.toMap(TrainingRun.recordAgentPod(ctx)));

        assertThat(e.getMessage()).contains("exit code 137, SIGKILL");
        assertThat(Json.readObject(project.resolve(".powerai/gpuTrain.json"))).containsEntry("exitCode", 137)
                .containsEntry("failureReason", "killed");
    }

    @Test
    void record_withoutTheRunnerHavingRun_saysWhatIsMissing_recordsNothing() {
        StageContext ctx = context(Map.of());
        new PodTraining(ctx).prepare(IMAGE);

        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> StageResults.toMap(TrainingRun.recordAgentPod(ctx)));

        assertThat(e).isInstanceOf(PowerAiException.StageFailed.class);
        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training container did not finish the run: no pod-exit.json");
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void prepare_kubernetesBackend_isInvalidInput_theJobIsAnotherWay() {
        StageContext ctx = context(Map.of("backend", "kubernetes"));

        assertThat(catchThrowableOfType(PowerAiException.InvalidInput.class, () -> new PodTraining(ctx).prepare(IMAGE)).messageIn("gpuTrain"))
                .startsWith("gpuTrain: 'backend' is 'kubernetes', a Job the CLI submits itself;");
    }

    @Test
    void prepare_nativeBackend_isInvalidInput() {
        StageContext ctx = context(Map.of("backend", "native"));

        assertThat(catchThrowableOfType(PowerAiException.InvalidInput.class, () -> new PodTraining(ctx).prepare(IMAGE)).messageIn("gpuTrain"))
                .startsWith("gpuTrain: 'backend' is 'native', which has no meaning on a Kubernetes agent pod");
    }
}
