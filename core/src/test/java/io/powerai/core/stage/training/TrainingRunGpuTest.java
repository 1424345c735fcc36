package io.powerai.core.stage.training;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.Event;
import io.powerai.core.gpu.GpuFixtures;
import io.powerai.core.gpu.GpuTools;
import io.powerai.core.gpu.NvidiaSmi;
import io.powerai.core.json.Json;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Whole training runs with GPUs asked for, on a machine without a GPU: nvidia-smi and docker are shell scripts
 * that answer as the recorded H100 hosts did (see io/powerai/core/gpu/README.md); the native runs use this
 * machine's real python3.
 */
class TrainingRunGpuTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T18:00:00Z"), ZoneOffset.UTC);
    private static final String IMAGE = "127.0.0.1:5000/demo-env@sha256:" + "ab".repeat(32);
    private static final String SCRIPT = String.join("\n",
            "import json, os, sys, time",
            "mode = sys.argv[1] if len(sys.argv) > 1 else 'ok'",
            "print('cwd=' + os.getcwd())",
            "print('cuda_visible=' + repr(os.environ.get('CUDA_VISIBLE_DEVICES')))",
            "print('data=' + str(os.environ.get('POWERAI_DATA')))",
            "for step in range(3):",
            "    print(json.dumps({'metric': 'loss', 'value': 1.0 / (step + 1), 'step': step}), flush=True)",
            "if mode == 'sleep': time.sleep(30)",
            "if mode == 'kill': os.kill(os.getpid(), 9)",
            "if mode == 'gpu': time.sleep(0.8)",
            "if mode != 'nooutput':",
            "    open(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.txt'), 'w').write('weights')",
            "");

    /** This machine's python3 itself, not a launcher in front of it (pyenv's shim costs seconds a start on a busy machine). */
    private static String python;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findPython() throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
        python = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as("python3 on the PATH: " + python).isZero();
    }

    private Path project;
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void createProject() throws Exception {
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("train.py"), SCRIPT);
        Files.createDirectories(project.resolve("src"));
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("data/x.csv"), "x\n1\n");
    }

    private StageContext context(Map<String, Object> train, ContainerEngine engine, Path nvidiaSmi) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "demo");
        params.put("script", "train.py");
        params.putAll(train);
        PipelineSpec spec = PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline();
        GpuTools tools = new GpuTools(new NvidiaSmi(nvidiaSmi.toString(), new ProcessRunner()), List.of(tmp.resolve("no-cdi")), "",
                Duration.ofMillis(100), Duration.ofSeconds(30));
        return new StageContext(spec, new Workspace(project, CLOCK), engine, new RegistryClient(), events::add, CLOCK, tools);
    }

    /** An engine that must not be called: native runs have none. */
    private ContainerEngine noEngine() {
        return new ContainerEngine(ContainerEngine.Kind.DOCKER, tmp.resolve("no-docker").toString(), new ProcessRunner());
    }

    private Map<String, Object> nativeRun(Map<String, Object> train, Path nvidiaSmi) {
        Map<String, Object> all = new LinkedHashMap<>(train);
        all.put("backend", "native");
        all.putIfAbsent("python", python);
        return StageResults.toMap(TrainingRun.run(context(all, noEngine(), nvidiaSmi), null));
    }

    private Path smi(String host) {
        return GpuFixtures.fakeNvidiaSmi(Files.exists(tmp.resolve("smi")) ? tmp.resolve("smi") : mkdir(tmp.resolve("smi")), host,
                "h100/gpu-samples.csv");
    }

    private static Path mkdir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String log() throws Exception {
        return Files.readString(project.resolve(".powerai/train/train.log"));
    }

    private Map<String, Object> lastAuditRecord() throws Exception {
        List<String> lines = Files.readAllLines(project.resolve(".powerai/audit.jsonl"));
        return Json.parseObject(lines.get(lines.size() - 1));
    }

    private List<String> messages(Event.Kind kind) {
        synchronized (events) {
            return events.stream().filter(e -> e.kind() == kind).map(Event::message).toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void native_cpuRun_hidesTheGpus_andRecordsThatTheEnvironmentIsNotPinned() throws Exception {
        Map<String, Object> result = nativeRun(Map.of("data", "data", "python", "python3"), tmp.resolve("no-nvidia-smi"));

        assertThat(result).containsEntry("status", "succeeded").containsEntry("backend", "native").containsEntry("environmentPinned", false)
                .doesNotContainKey("image").doesNotContainKey("gpuPreflight").doesNotContainKey("gpuTelemetry");
        assertThat(map(result.get("environment"))).containsEntry("pinned", false).containsKeys("python", "pythonVersion", "packagesDigest");
        assertThat((String) map(result.get("environment")).get("pythonVersion")).startsWith("3.");
        assertThat(result.get("outputs")).isEqualTo(Map.of("model.txt", io.powerai.core.json.Digests.sha256("weights")));
        assertThat(result.get("metrics")).isEqualTo(Map.of("loss", 1.0 / 3));
        assertThat(result).containsEntry("metricsChart", "train/metrics.svg");
        assertThat(Files.readString(project.resolve(".powerai/train/metrics.svg"))).startsWith("<?xml").contains(">loss</text>").contains(">last 0.333333 at step 2</text>");
        assertThat(log()).contains("cwd=" + project.toRealPath()).contains("cuda_visible=''")
                .contains("data=" + project.resolve("data").toAbsolutePath());
        Map<String, Object> audit = lastAuditRecord();
        assertThat(map(audit.get("details"))).containsEntry("environmentPinned", false).containsEntry("backend", "native");
        assertThat(map(audit.get("inputs"))).doesNotContainKey("image").containsKey("pythonPackages").containsKey("code");
        assertThat(map(audit.get("outputs"))).containsKeys("outputs/model.txt", "train.log", "metrics.svg");
        assertThat(messages(Event.Kind.WARNING)).anySatisfy(w -> assertThat(w).startsWith("backend native: train.py runs on ")
                .endsWith("with no container; the environment is not pinned and the network is the agent's"));
    }

    @Test
    void native_gpuRun_getsTheGpuByUuid_andItsUseIsSampledAndSummarized() throws Exception {
        Map<String, Object> result = nativeRun(Map.of("gpus", 1, "args", List.of("gpu")), smi("h100"));

        assertThat(log()).contains("cuda_visible='" + GpuFixtures.H100_UUID + "'");
        Map<String, Object> preflight = map(result.get("gpuPreflight"));
        assertThat(preflight).containsEntry("decision", "gpu").containsEntry("policy", "require").containsEntry("driverVersion", "580.159.04");
        Map<String, Object> telemetry = map(result.get("gpuTelemetry"));
        assertThat(telemetry).containsEntry("file", "train/gpu-samples.csv").containsEntry("intervalMillis", 100L).doesNotContainKey("problem");
        assertThat(((Number) telemetry.get("samples")).longValue()).isPositive();
        assertThat(Files.readAllLines(project.resolve(".powerai/train/gpu-samples.csv")).get(1)).isEqualTo("2026/11/26 16:40:51.581,0,0,0,76.71");
        assertThat(map(lastAuditRecord().get("outputs"))).containsKey("gpu-samples.csv");
        assertThat(map(lastAuditRecord().get("details"))).containsKeys("gpuPreflight", "gpuTelemetry");
        assertThat(messages(Event.Kind.PROGRESS)).anySatisfy(m -> assertThat(m).startsWith("GPU preflight: using GPU 0 (NVIDIA H100 80GB HBM3); driver 580.159.04"))
                .anySatisfy(m -> assertThat(m).startsWith("GPU use: GPU 0: utilization mean"));
    }

    @Test
    void gpuStack_differentFromTheSnapshots_warnsAndRecordsTheChanges_butTrains() throws Exception {
        Map<String, Object> snapshotResult = new LinkedHashMap<>();
        snapshotResult.put("schemaVersion", 1); // a result file as the snapshot writes it: read in its type
        snapshotResult.put("stage", "amlEnvSnapshot");
        snapshotResult.put("status", "succeeded");
        snapshotResult.put("gpuStack", new io.powerai.core.gpu.GpuStack("535.104.05", "12.2", null,
                Map.of("NVIDIA A100-SXM4-80GB (81920 MiB)", 1)).toJson());
        Files.createDirectories(project.resolve(".powerai"));
        Files.writeString(project.resolve(".powerai/amlEnvSnapshot.json"), Json.pretty(snapshotResult));

        Map<String, Object> result = nativeRun(Map.of("gpus", 1), smi("h100"));

        assertThat(result).containsEntry("status", "succeeded");
        Map<String, Object> preflight = map(result.get("gpuPreflight"));
        assertThat(map(preflight.get("gpuStack"))).containsEntry("driver", "580.159.04").containsKey("fingerprint");
        assertThat(preflight.get("gpuStackChanges")).isEqualTo(List.of("driver 535.104.05 -> 580.159.04", "CUDA (driver) 12.2 -> 13.0",
                "GPUs 1 x NVIDIA A100-SXM4-80GB (81920 MiB) -> 1 x NVIDIA H100 80GB HBM3 (81559 MiB)"));
        assertThat(map(map(lastAuditRecord().get("details")).get("gpuPreflight"))).containsKey("gpuStackChanges");
        assertThat(messages(Event.Kind.WARNING)).anySatisfy(w -> assertThat(w)
                .startsWith("the GPU stack differs from the one recorded with the snapshot: driver 535.104.05 -> 580.159.04;"));
    }

    @Test
    void gpuStack_sameAsTheSnapshots_saysSo_noWarning() throws Exception {
        Map<String, Object> snapshotResult = Map.of("schemaVersion", 1, "stage", "amlEnvSnapshot", "status", "succeeded",
                "gpuStack", io.powerai.core.gpu.GpuStack.of(GpuFixtures.inventory("h100"), null).toJson());
        Files.createDirectories(project.resolve(".powerai"));
        Files.writeString(project.resolve(".powerai/amlEnvSnapshot.json"), Json.pretty(snapshotResult));

        Map<String, Object> result = nativeRun(Map.of("gpus", 1), smi("h100"));

        assertThat(map(result.get("gpuPreflight"))).containsKey("gpuStack").doesNotContainKey("gpuStackChanges");
        assertThat(messages(Event.Kind.WARNING)).noneSatisfy(w -> assertThat(w).contains("GPU stack"));
        assertThat(messages(Event.Kind.PROGRESS)).anySatisfy(m -> assertThat(m).startsWith("GPU stack as recorded with the snapshot (sha256:"));
    }

    @Test
    void native_busyGpu_require_stopsBeforeAnythingRuns_exit3_oneLine() {
        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> nativeRun(Map.of("gpus", 1), smi("h100-busy")));

        assertThat(e).isInstanceOf(PowerAiException.InfrastructureUnavailable.class);
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).doesNotContain("\n").startsWith("gpuTrain: 'gpus' is '1' (gpu_policy 'require') but only 0 of the host's "
                + "1 GPU(s) can be used: GPU 0 (NVIDIA H100 80GB HBM3) has 59371 MiB of 81559 MiB free (73%)")
                .contains("is in use by python3 (pid 414, 21700 MiB)")
                .endsWith("; nothing was run (gpu_policy: prefer trains on the CPU instead)");
        assertThat(project.resolve(".powerai/train/train.log")).doesNotExist();
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void native_busyGpu_prefer_warnsAndTrainsOnTheCpu() throws Exception {
        Map<String, Object> result = nativeRun(Map.of("gpus", 1, "gpu_policy", "prefer"), smi("h100-busy"));

        assertThat(result).containsEntry("status", "succeeded").doesNotContainKey("gpuTelemetry");
        assertThat(map(result.get("gpuPreflight"))).containsEntry("decision", "cpu").containsEntry("policy", "prefer");
        assertThat((String) map(result.get("gpuPreflight")).get("fallback")).startsWith("only 0 of the host's 1 GPU(s) can be used");
        assertThat(log()).contains("cuda_visible=''");
        assertThat(messages(Event.Kind.WARNING)).anySatisfy(w -> assertThat(w).startsWith("GPU preflight failed (only 0 of the host's")
                .endsWith("training on the CPU as gpu_policy is 'prefer'"));
    }

    @Test
    void native_busyGpu_sharedAllowed_runsOnIt() throws Exception {
        Map<String, Object> result = nativeRun(Map.of("gpus", 1, "gpu_allow_shared", true, "gpu_min_free_memory", "50%"), smi("h100-busy"));

        assertThat(map(result.get("gpuPreflight"))).containsEntry("decision", "gpu");
        assertThat(log()).contains("cuda_visible='" + GpuFixtures.BUSY_UUID + "'");
    }

    @Test
    void nvidiaSmiMissing_require_exit3SayingSo() {
        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> nativeRun(Map.of("gpus", "all"), tmp.resolve("no-nvidia-smi")));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).startsWith("gpuTrain: 'gpus' is 'all' (gpu_policy 'require') but nvidia-smi is not installed (cannot start it;");
    }

    @Test
    void nvidiaSmiFailing_require_exit3WithItsExitCode() {
        Path failing = GpuFixtures.script(mkdir(tmp.resolve("bad")), "nvidia-smi", "echo 'No devices were found'\nexit 6\n");

        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> nativeRun(Map.of("gpus", "0,1"), failing));

        assertThat(e.getMessage()).isEqualTo("gpuTrain: 'gpus' is 'device=0,1' (gpu_policy 'require') but nvidia-smi finds no GPU "
                + "(exit code 6); nothing was run (gpu_policy: prefer trains on the CPU instead)");
    }

    @Test
    void unknownGpuId_and_moreGpusThanExist_exit3() {
        assertThat(catchThrowableOfType(PowerAiException.class, () -> nativeRun(Map.of("gpus", "device=3"), smi("h100"))).getMessage())
                .contains("but it names GPU '3', which the host does not have (it has 0 (1 x NVIDIA H100 80GB HBM3))");
        assertThat(catchThrowableOfType(PowerAiException.class, () -> nativeRun(Map.of("gpus", 4), smi("h100"))).getMessage())
                .contains("but it asks for 4 GPU(s) and the host has 1: 0 (1 x NVIDIA H100 80GB HBM3)");
    }

    @Test
    void policyNone_checksNothing_andPassesTheDevicesOn() throws Exception {
        nativeRun(Map.of("gpus", "device=1", "gpu_policy", "none"), tmp.resolve("no-nvidia-smi"));

        assertThat(log()).contains("cuda_visible='1'");
    }

    @Test
    void native_timeout_isRecordedAsSuchInTheResultAndTheAudit() throws Exception {
        PowerAiException e = catchThrowableOfType(PowerAiException.class,
                () -> nativeRun(Map.of("timeout", "3s", "args", List.of("sleep")), tmp.resolve("no-nvidia-smi")));

        assertThat(e).isInstanceOf(PowerAiException.StageFailed.class);
        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: timed out after 3s and was stopped; log kept at ");
        Map<String, Object> result = Json.readObject(project.resolve(".powerai/gpuTrain.json"));
        assertThat(result).containsEntry("status", "failed").containsEntry("failureReason", "timeout")
                .containsEntry("failure", "timed out after 3s and was stopped");
        assertThat(map(lastAuditRecord().get("details"))).containsEntry("failureReason", "timeout");
        assertThat(log()).contains("\"step\": 2"); // what it printed before it was stopped is kept
    }

    @Test
    void native_killed_isReportedAsExit137WithTheLikelyCause() throws Exception {
        PowerAiException e = catchThrowableOfType(PowerAiException.class,
                () -> nativeRun(Map.of("args", List.of("kill")), tmp.resolve("no-nvidia-smi")));

        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training was killed (exit code 137, SIGKILL: most often the out-of-memory killer)");
        assertThat(Json.readObject(project.resolve(".powerai/gpuTrain.json"))).containsEntry("failureReason", "killed").containsEntry("exitCode", 137);
    }

    @Test
    void native_missingInterpreter_exit3NamingIt() {
        Map<String, Object> train = Map.of("python", tmp.resolve("python9").toString());

        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> nativeRun(train, tmp.resolve("no-nvidia-smi")));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: 'python' is '" + tmp.resolve("python9") + "', which cannot be started (")
                .endsWith("install Python 3 on the agent or name its interpreter in 'python'");
    }

    @Test
    void native_workdir_isWhereTheScriptRuns() throws Exception {
        nativeRun(Map.of("workdir", "src"), tmp.resolve("no-nvidia-smi"));

        assertThat(log()).contains("cwd=" + project.resolve("src").toRealPath());
    }

    @Test
    void native_noOutputs_succeedsWithAWarning() {
        Map<String, Object> result = nativeRun(Map.of("args", List.of("nooutput")), tmp.resolve("no-nvidia-smi"));

        assertThat(result.get("outputs")).isEqualTo(Map.of());
        assertThat(messages(Event.Kind.WARNING)).contains("the training wrote no file to $POWERAI_OUTPUTS: there is no model to hash or to hand on");
    }

    // --- the container backend, with docker as a script that records its arguments ---

    private Path fakeDocker(String runtimes, String imageConfig, String runOutput, int runExit) {
        Path dir = mkdir(tmp.resolve("docker"));
        return GpuFixtures.script(dir, "docker", """
                case "$1" in
                  info) echo '%s' ;;
                  image) echo '%s' ;;
                  run) printf '%%s\\n' "$@" > "%s"; echo '%s'; exit %d ;;
                  *) exit 0 ;;
                esac
                """.formatted(runtimes, imageConfig, dir.resolve("run-args.txt"), runOutput, runExit));
    }

    private ContainerEngine docker(Path binary) {
        return new ContainerEngine(ContainerEngine.Kind.DOCKER, binary.toString(), new ProcessRunner());
    }

    private static final String NVIDIA_RUNTIMES = "{\"nvidia\":{\"path\":\"nvidia-container-runtime\"},\"runc\":{\"path\":\"runc\"}}";

    @Test
    void container_gpuRun_passesTheChosenDeviceShmAndUlimits_andChecksTheImagesCuda() throws Exception {
        Path docker = fakeDocker(NVIDIA_RUNTIMES, "{\"Env\":[\"PATH=/usr/bin\",\"CUDA_VERSION=12.4.1\"],\"Labels\":null}",
                "{\"metric\": \"loss\", \"value\": 0.5}", 0);
        StageContext ctx = context(Map.of("gpus", 1, "shm_size", "2g", "ulimits", Map.of("memlock", -1, "stack", 67108864)),
                docker(docker), smi("h100"));

        Map<String, Object> result = StageResults.toMap(TrainingRun.run(ctx, IMAGE));

        List<String> args = Files.readAllLines(tmp.resolve("docker/run-args.txt"));
        assertThat(args).containsSubsequence("--shm-size", "2g", "--ulimit", "memlock=-1", "--ulimit", "stack=67108864",
                "--gpus", "\"device=0\"", IMAGE, "python3", "train.py");
        Map<String, Object> cuda = map(map(result.get("gpuPreflight")).get("cuda"));
        assertThat(cuda).containsEntry("expected", "12.4.1").containsEntry("source", "image env CUDA_VERSION").containsEntry("status", "ok")
                .containsEntry("requiredDriver", "550.54.15");
        assertThat(map(result.get("gpuPreflight"))).containsEntry("runtime", "docker runtime 'nvidia'");
        assertThat(result).containsEntry("environmentPinned", true).containsEntry("backend", "container").containsEntry("image", IMAGE);
    }

    @Test
    void container_cudaOfTheEnvironmentSection_isCheckedWithoutAskingTheImage() {
        Path docker = fakeDocker(NVIDIA_RUNTIMES, "{\"Env\":[\"CUDA_VERSION=11.8.0\"]}", "ok", 0);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", "demo");
        top.put("environment", Map.of("base_image", "127.0.0.1:5000/powerai/python-ml:bookworm", "cuda", "13.1"));
        top.put("train", Map.of("script", "train.py", "gpus", 1));
        PipelineSpec spec = PipelineSpec.from(top, project, null);
        GpuTools tools = new GpuTools(new NvidiaSmi(smi("h100").toString(), new ProcessRunner()), List.of(), "", Duration.ofMillis(100),
                Duration.ofSeconds(30));
        StageContext ctx = new StageContext(spec, new Workspace(project, CLOCK), docker(docker), new RegistryClient(), events::add, CLOCK, tools);

        Map<String, Object> result = StageResults.toMap(TrainingRun.run(ctx, IMAGE));

        assertThat(map(map(result.get("gpuPreflight")).get("cuda"))).containsEntry("expected", "13.1").containsEntry("source", "environment.cuda")
                .containsEntry("status", "minor-version-compatibility");
        assertThat(messages(Event.Kind.WARNING)).anySatisfy(w -> assertThat(w).startsWith("GPU preflight: driver 580.159.04 is older than "
                + "CUDA 13.1's 590.44.01 and runs it only through CUDA minor version compatibility"));
    }

    @Test
    void container_dockerWithoutTheNvidiaRuntime_exit3BeforeTheRun() {
        Path docker = fakeDocker("{\"runc\":{\"path\":\"runc\"}}", "{}", "", 0);

        PowerAiException e = catchThrowableOfType(PowerAiException.class,
                () -> TrainingRun.run(context(Map.of("gpus", 1), docker(docker), smi("h100")), IMAGE));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).startsWith("gpuTrain: 'gpus' is '1' (gpu_policy 'require') but docker has no NVIDIA runtime "
                + "(docker info lists the runtimes runc); install the NVIDIA Container Toolkit");
        assertThat(tmp.resolve("docker/run-args.txt")).doesNotExist();
    }

    @Test
    void container_imageBuiltForANewerCudaThanTheDriverRuns_exit3() {
        Path docker = fakeDocker(NVIDIA_RUNTIMES, "{\"Env\":[],\"Labels\":{\"io.powerai.cuda\":\"14.0\"}}", "", 0);

        PowerAiException e = catchThrowableOfType(PowerAiException.class,
                () -> TrainingRun.run(context(Map.of("gpus", 1), docker(docker), smi("h100")), IMAGE));

        assertThat(e.getMessage()).contains("but driver 580.159.04 supports CUDA up to 13.0, older than 14.0")
                .contains("(CUDA 14.0 from image label io.powerai.cuda)");
    }

    @Test
    void container_cpuRun_asksNvidiaSmiNothing() throws Exception {
        Path smi = smi("h100");
        Path docker = fakeDocker(NVIDIA_RUNTIMES, "{}", "ok", 0);

        Map<String, Object> result = StageResults.toMap(TrainingRun.run(context(Map.of(), docker(docker), smi), IMAGE));

        assertThat(result).containsEntry("status", "succeeded").doesNotContainKey("gpuPreflight");
        assertThat(tmp.resolve("smi/calls.log")).doesNotExist();
        assertThat(Files.readAllLines(tmp.resolve("docker/run-args.txt"))).doesNotContain("--gpus", "--shm-size", "--ulimit");
    }

    @Test
    void container_engineCannotAttachTheGpus_exit3() {
        Path docker = fakeDocker(NVIDIA_RUNTIMES, "{}",
                "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", 125);

        PowerAiException e = catchThrowableOfType(PowerAiException.class,
                () -> TrainingRun.run(context(Map.of("gpus", 1, "gpu_policy", "none"), docker(docker), smi("h100")), IMAGE));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the container engine could not give the container its GPUs: docker: Error "
                + "response from daemon: could not select device driver");
    }
}
