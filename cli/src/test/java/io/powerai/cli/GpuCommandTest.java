package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai gpu info|preflight} and a native GPU training through the command, with nvidia-smi faked by a
 * script that prints the real H100 recordings (POWERAI_NVIDIA_SMI points at it); this machine has no GPU.
 */
class GpuCommandTest {
    @TempDir
    Path tmp;

    private Path project;

    @BeforeEach
    void createProject() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("train.py"), String.join("\n",
                "import json, os",
                "print('cuda_visible=' + repr(os.environ.get('CUDA_VISIBLE_DEVICES')), flush=True)",
                "for epoch in range(3):",
                "    print(json.dumps({'metric': 'loss', 'value': 1.0 / (epoch + 1), 'step': epoch}), flush=True)",
                "open(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.txt'), 'w').write('m')",
                ""));
    }

    private String fixture(String name) throws IOException {
        try (InputStream in = GpuCommandTest.class.getResourceAsStream("/io/powerai/cli/gpu/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A fake nvidia-smi answering as the recorded host {@code host} (h100 or h100-busy). */
    private Path nvidiaSmi(String host) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("smi-" + host));
        Files.writeString(dir.resolve("q.xml"), fixture(host + "-nvidia-smi-q.xml"));
        Files.writeString(dir.resolve("samples.csv"), fixture("h100-gpu-samples.csv"));
        return script(dir.resolve("nvidia-smi"), "d='" + dir + "'\ncase \"$*\" in\n"
                + "  *-lms*) while :; do cat \"$d/samples.csv\"; sleep 0.2; done ;;\n"
                + "  *) cat \"$d/q.xml\" ;;\nesac\n");
    }

    private static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private void powerYaml(String train) throws IOException {
        Files.writeString(project.resolve("powerai.yaml"), "name: gpu-demo\ntrain:\n  script: train.py\n" + train);
    }

    @Test
    void info_realH100_printsTheParsedFactsAsJson() throws Exception {
        CliRun run = CliRun.with(Map.of("POWERAI_NVIDIA_SMI", nvidiaSmi("h100").toString()), "gpu", "info");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, Object> info = Json.parseObject(run.out());
        assertThat(info).containsEntry("status", "found").containsEntry("driverVersion", "580.159.04").containsEntry("cudaVersion", "13.0")
                .containsEntry("count", 1);
        assertThat(info.get("gpus").toString()).contains("name=NVIDIA H100 80GB HBM3").contains("memoryTotalMiB=81559");
    }

    @Test
    void info_nvidiaSmiMissing_exit3_jsonAndOneLineReason() {
        CliRun run = CliRun.with(Map.of("POWERAI_NVIDIA_SMI", tmp.resolve("none").toString()), "gpu", "info");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).contains("\"status\" : \"unavailable\"").contains("\"reason\" : \"not-installed\"");
        assertThat(run.err().strip().lines()).singleElement().asString().startsWith("gpu: nvidia-smi is not installed");
    }

    @Test
    void info_noDevices_exit3() throws Exception {
        Path smi = script(tmp.resolve("nvidia-smi"), "echo 'No devices were found'\nexit 6\n");

        CliRun run = CliRun.with(Map.of("POWERAI_NVIDIA_SMI", smi.toString()), "gpu", "info");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).isEqualTo("gpu: nvidia-smi finds no GPU (exit code 6)\n");
    }

    @Test
    void preflight_freeGpu_nativeBackend_printsTheDecisionAsJson() throws Exception {
        powerYaml("  backend: native\n  gpus: 1\n");

        CliRun run = CliRun.with(Map.of("POWERAI_NVIDIA_SMI", nvidiaSmi("h100").toString()), "gpu", "preflight", project.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, Object> decision = Json.parseObject(run.out());
        assertThat(decision).containsEntry("decision", "gpu").containsEntry("backend", "native").containsEntry("engineGpus", "device=0")
                .containsEntry("cudaVisibleDevices", "GPU-765a2b24-8811-67e2-01a1-03711d63a0f9");
        assertThat(run.err()).contains("[gpuTrain] GPU preflight: using GPU 0 (NVIDIA H100 80GB HBM3)");
    }

    @Test
    void preflight_busyGpu_require_exit3OneLine() throws Exception {
        powerYaml("  backend: native\n  gpus: 1\n");

        CliRun run = CliRun.with(Map.of("POWERAI_NVIDIA_SMI", nvidiaSmi("h100-busy").toString()), "gpu", "preflight", project.toString());

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err().strip().lines()).singleElement().asString()
                .startsWith("gpuTrain: 'gpus' is '1' (gpu_policy 'require') but only 0 of the host's 1 GPU(s) can be used")
                .doesNotContain("Exception");
    }

    @Test
    void train_native_onTheFakeH100_recordsPreflightTelemetryAndChart() throws Exception {
        powerYaml("  backend: native\n  gpus: 1\n");

        CliRun run = CliRun.with(Map.of("POWERAI_NVIDIA_SMI", nvidiaSmi("h100").toString()), "train", project.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("[gpuTrain] WARNING: backend native: train.py runs on ")
                .contains("[gpuTrain] | cuda_visible='GPU-765a2b24-8811-67e2-01a1-03711d63a0f9'")
                .contains("[gpuTrain] GPU use: GPU 0: utilization mean");
        Map<String, Object> result = Json.readObject(project.resolve(".powerai/gpuTrain.json"));
        assertThat(result).containsEntry("environmentPinned", false).containsEntry("metricsChart", "train/metrics.svg")
                .containsKeys("gpuPreflight", "gpuTelemetry");
        assertThat(project.resolve(".powerai/train/metrics.svg")).exists();
        assertThat(CliRun.of("audit", "verify", project.toString()).out()).contains("audit: OK, 1 record(s)");
    }

    @Test
    void stepParameters_gpuTrain_listsTheNewKeys() {
        assertThat(CliRun.of("step-parameters", "gpuTrain").out().lines().toList()).containsAll(List.of("backend", "cuda", "gpu_allow_shared",
                "gpu_min_free_memory", "gpu_policy", "python", "shm_size", "ulimits", "workdir"));
    }
}
