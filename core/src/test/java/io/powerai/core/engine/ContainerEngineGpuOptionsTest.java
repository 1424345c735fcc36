package io.powerai.core.engine;

import io.powerai.core.process.ProcessRunner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The run options of GPU training: devices by id, /dev/shm size, ulimits (pure argument rendering). */
class ContainerEngineGpuOptionsTest {
    private static final RunSpec RUN = RunSpec.of("img@sha256:" + "ab".repeat(32), List.of("python3", "train.py"));

    private static List<String> args(ContainerEngine.Kind kind, RunSpec spec) {
        return new ContainerEngine(kind, kind == ContainerEngine.Kind.DOCKER ? "docker" : "podman", new ProcessRunner())
                .runArguments(spec, spec.env().isEmpty() ? null : java.nio.file.Path.of("/tmp/env.list"));
    }

    @Test
    void docker_deviceList_isQuotedSoItsCommaSurvivesDockersCsvParsing() {
        assertThat(args(ContainerEngine.Kind.DOCKER, RUN.withGpus("device=0,1"))).containsSubsequence("--gpus", "\"device=0,1\"", RUN.image());
        assertThat(args(ContainerEngine.Kind.DOCKER, RUN.withGpus("device=GPU-abc"))).containsSubsequence("--gpus", "\"device=GPU-abc\"");
    }

    @Test
    void podman_deviceList_isOneCdiDeviceEach() {
        assertThat(args(ContainerEngine.Kind.PODMAN, RUN.withGpus("device=0,MIG-abc")))
                .containsSubsequence("--device", "nvidia.com/gpu=0", "--device", "nvidia.com/gpu=MIG-abc", RUN.image())
                .doesNotContain("--gpus");
    }

    @Test
    void shmSizeAndUlimits_bothEngines_beforeTheGpusAndTheImage() {
        RunSpec spec = RUN.withShmSize("2g").withUlimits(Map.of("stack", "67108864", "memlock", "-1")).withGpus("all");

        assertThat(args(ContainerEngine.Kind.DOCKER, spec)).containsExactly("docker", "run", "--rm", "--shm-size", "2g",
                "--ulimit", "memlock=-1", "--ulimit", "stack=67108864", "--gpus", "all", RUN.image(), "python3", "train.py");
        assertThat(args(ContainerEngine.Kind.PODMAN, spec)).containsExactly("podman", "run", "--rm", "--shm-size", "2g",
                "--ulimit", "memlock=-1", "--ulimit", "stack=67108864", "--device", "nvidia.com/gpu=all", RUN.image(), "python3", "train.py");
    }

    @Test
    void withers_keepShmSizeAndUlimits() {
        RunSpec spec = RUN.withShmSize("1g").withUlimits(Map.of("nofile", "1024:4096")).withName("x").withNetwork("none").inBackground();

        assertThat(spec.shmSize()).isEqualTo("1g");
        assertThat(spec.ulimits()).containsExactly(Map.entry("nofile", "1024:4096"));
    }
}
