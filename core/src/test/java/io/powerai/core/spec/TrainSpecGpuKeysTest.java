package io.powerai.core.spec;

import io.powerai.core.gpurequest.FreeMemoryRule;
import io.powerai.core.gpurequest.GpuPolicy;
import io.powerai.core.gpurequest.GpuRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The train keys of GPU training in depth: backend, python, cuda, gpu_*, shm_size, ulimits, workdir; gpus as devices. */
class TrainSpecGpuKeysTest {
    @TempDir
    Path project;

    @BeforeEach
    void createProject() throws Exception {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.createDirectories(project.resolve("src"));
    }

    private TrainSpec train(Map<String, Object> extra) {
        return TrainSteps.train(project, extra);
    }

    private String problems(Map<String, Object> extra) {
        return TrainSteps.problems(project, extra);
    }

    @Test
    void defaults_containerBackendRequirePolicyNinetyPercentNoExtras() {
        TrainSpec spec = train(Map.of());

        assertThat(spec.backend()).isEqualTo("container");
        assertThat(spec.nativeBackend()).isFalse();
        assertThat(spec.python()).isEqualTo("python3");
        assertThat(spec.cuda()).isNull();
        assertThat(spec.gpuPolicy()).isEqualTo(GpuPolicy.REQUIRE);
        assertThat(spec.gpuMinFreeMemory()).isEqualTo(FreeMemoryRule.DEFAULT);
        assertThat(spec.gpuAllowShared()).isFalse();
        assertThat(spec.shmSize()).isNull();
        assertThat(spec.ulimits()).isEmpty();
        assertThat(spec.workdir()).isNull();
        assertThat(spec.gpuRequest()).isEqualTo(new GpuRequest.None());
    }

    @Test
    void gpus_devices_inEveryForm() {
        assertThat(train(Map.of("gpus", "0,1")).gpus()).isEqualTo("device=0,1");
        assertThat(train(Map.of("gpus", "device=1")).gpus()).isEqualTo("device=1");
        assertThat(train(Map.of("gpus", List.of(1))).gpuRequest()).isEqualTo(new GpuRequest.Devices(List.of("1")));
        assertThat(train(Map.of("gpus", "GPU-765a2b24-8811-67e2-01a1-03711d63a0f9")).gpus())
                .isEqualTo("device=GPU-765a2b24-8811-67e2-01a1-03711d63a0f9");
        assertThat(train(Map.of("gpus", 2)).gpuRequest()).isEqualTo(new GpuRequest.Count(2));
        assertThat(train(Map.of("gpus", "0,1")).wantsGpus()).isTrue();
    }

    @Test
    void gpus_invalid_oneLineNamingStageFieldValueAndRule() {
        assertThat(problems(Map.of("gpus", "0,0"))).isEqualTo("gpuTrain: 'gpus' must be a count of GPUs (0 for none) or 'all', or the "
                + "devices to use: indexes or UUIDs as '0,1', 'device=1', 'GPU-<uuid>' or a list [0, 1]; got '0,0'");
    }

    @Test
    void nativeBackend_withItsInterpreter() {
        TrainSpec spec = train(Map.of("backend", "native", "python", "/opt/torch/.venv/bin/python3"));

        assertThat(spec.nativeBackend()).isTrue();
        assertThat(spec.python()).isEqualTo("/opt/torch/.venv/bin/python3");
    }

    @Test
    void backend_unknown_isRejected() {
        assertThat(problems(Map.of("backend", "slurm"))).isEqualTo("gpuTrain: 'backend' must be 'container' (the snapshot image on "
                + "this agent, the default), 'native' (the agent's own Python, not pinned) or 'kubernetes' (the snapshot image as a Job "
                + "on a cluster); got 'slurm'");
    }

    @Test
    void python_withTheContainerBackend_isRejected() {
        assertThat(problems(Map.of("python", "python3.12")))
                .isEqualTo("gpuTrain: 'python' applies only to backend 'native' (a container runs the image's python3); got 'python3.12'");
    }

    @Test
    void cuda_quotedOrNot() {
        assertThat(train(Map.of("cuda", "12.4")).cuda()).isEqualTo("12.4");
        assertThat(train(Map.of("cuda", "12.4.1")).cuda()).isEqualTo("12.4.1");
        assertThat(train(Map.of("cuda", 12.4)).cuda()).isEqualTo("12.4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12", "twelve", "12.4.1.0", "v12.4"})
    void cuda_invalid_isRejected(String value) {
        assertThat(problems(Map.of("cuda", value))).isEqualTo("gpuTrain: 'cuda' must be the CUDA version the image was built for, "
                + "major.minor[.update], e.g. '12.4' or '12.4.1'; got '" + value + "'");
    }

    @Test
    void gpuPolicy_values() {
        assertThat(train(Map.of("gpu_policy", "prefer")).gpuPolicy()).isEqualTo(GpuPolicy.PREFER);
        assertThat(train(Map.of("gpu_policy", "none")).gpuPolicy()).isEqualTo(GpuPolicy.NONE);
        assertThat(problems(Map.of("gpu_policy", "maybe"))).startsWith("gpuTrain: 'gpu_policy' must be 'require' (stop when the GPUs "
                + "are not usable, exit 3), 'prefer' (warn and train on the CPU) or 'none' (no preflight); got 'maybe'");
    }

    @Test
    void gpuMinFreeMemory_shareOrAmount() {
        assertThat(train(Map.of("gpu_min_free_memory", "50%")).gpuMinFreeMemory()).isEqualTo(FreeMemoryRule.percent(50));
        assertThat(train(Map.of("gpu_min_free_memory", "20GiB")).gpuMinFreeMemory()).isEqualTo(FreeMemoryRule.mebibytes(20480));
        assertThat(train(Map.of("gpu_min_free_memory", 8192)).gpuMinFreeMemory()).isEqualTo(FreeMemoryRule.mebibytes(8192));
        assertThat(problems(Map.of("gpu_min_free_memory", "150%"))).startsWith("gpuTrain: 'gpu_min_free_memory' must be a share");
        assertThat(problems(Map.of("gpu_min_free_memory", "lots"))).endsWith("; got 'lots'");
    }

    @Test
    void gpuAllowShared_isABoolean() {
        assertThat(train(Map.of("gpu_allow_shared", true)).gpuAllowShared()).isTrue();
        assertThat(problems(Map.of("gpu_allow_shared", "yes"))).isEqualTo("gpuTrain: 'gpu_allow_shared' must be true or false; got 'yes'");
    }

    @Test
    void shmSize_inDockersUnits() {
        assertThat(train(Map.of("shm_size", "2g")).shmSize()).isEqualTo("2g");
        assertThat(train(Map.of("shm_size", "8GiB")).shmSize()).isEqualTo("8g");
        assertThat(train(Map.of("shm_size", "1536m")).shmSize()).isEqualTo("1536m");
        assertThat(problems(Map.of("shm_size", "0"))).isEqualTo("gpuTrain: 'shm_size' must be a memory size such as 512m, 2g or 8GiB "
                + "(binary units, as docker reads them); got '0'");
        assertThat(problems(Map.of("shm_size", "2 gigs"))).startsWith("gpuTrain: 'shm_size' must be a memory size");
    }

    @Test
    void ulimits_namesAndValues() {
        assertThat(train(Map.of("ulimits", Map.of("memlock", -1, "stack", 67108864, "nofile", "1024:4096"))).ulimits())
                .containsExactly(Map.entry("memlock", "-1"), Map.entry("nofile", "1024:4096"), Map.entry("stack", "67108864"));
        assertThat(problems(Map.of("ulimits", Map.of("stacks", 1)))).startsWith("gpuTrain: 'ulimits.stacks' must be one of core, cpu");
        assertThat(problems(Map.of("ulimits", Map.of("nofile", "lots")))).isEqualTo("gpuTrain: 'ulimits.nofile' must be a number "
                + "(-1 for unlimited) or 'soft:hard'; got 'lots'");
        assertThat(problems(Map.of("ulimits", List.of("memlock=-1")))).startsWith("gpuTrain: 'ulimits' must be a map");
    }

    @Test
    void containerOnlyKeys_withTheNativeBackend_areRejected() {
        String message = problems(Map.of("backend", "native", "shm_size", "2g", "ulimits", Map.of("memlock", -1)));

        assertThat(message.lines()).containsExactly(
                "gpuTrain: 'shm_size' applies only to backends 'container' and 'kubernetes' (a native run has the host's /dev/shm); got '2g'",
                "gpuTrain: 'ulimits' applies only to backend 'container' (a native run has the agent's limits); got a map");
    }

    @Test
    void workdir_aFolderInsideTheProject() {
        assertThat(train(Map.of("workdir", "src")).workdir()).isEqualTo("src");
        assertThat(train(Map.of("workdir", ".")).workdir()).isNull();
        assertThat(problems(Map.of("workdir", "../elsewhere"))).startsWith("gpuTrain: 'workdir' must stay inside the project directory");
        assertThat(problems(Map.of("workdir", "nope"))).startsWith("gpuTrain: 'workdir' must name a directory");
    }

    @Test
    void memorySizes_engineAndKubernetesForms() {
        assertThat(MemorySizes.bytes("2g")).isEqualTo(2L << 30);
        assertThat(MemorySizes.bytes("512MB")).isEqualTo(512L << 20);
        assertThat(MemorySizes.bytes("1.5g")).isEqualTo(3L << 29);
        assertThat(MemorySizes.engineForm(3L << 29)).isEqualTo("1536m");
        assertThat(MemorySizes.kubernetesQuantity(2L << 30)).isEqualTo("2Gi");
        assertThat(MemorySizes.kubernetesQuantity(1000)).isEqualTo("1000");
    }
}
