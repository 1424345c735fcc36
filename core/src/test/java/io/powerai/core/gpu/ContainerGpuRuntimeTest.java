package io.powerai.core.gpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerGpuRuntimeTest {
    /** What `nvidia-ctk cdi generate` writes, shortened to its device list. */
    static final String CDI_SPEC = """
            ---
            cdiVersion: 0.5.0
            containerEdits:
              deviceNodes:
              - path: /dev/nvidiactl
            devices:
            - containerEdits:
                deviceNodes:
                - path: /dev/nvidia0
              name: "0"
            - containerEdits:
                deviceNodes:
                - path: /dev/nvidia0
              name: GPU-765a2b24-8811-67e2-01a1-03711d63a0f9
            - containerEdits:
                deviceNodes:
                - path: /dev/nvidia0
              name: all
            kind: nvidia.com/gpu
            """;

    @TempDir
    Path tmp;

    @Test
    void docker_withTheNvidiaRuntime_isAvailable() {
        ContainerGpuRuntime.Check check = ContainerGpuRuntime.docker(
                "{\"io.containerd.runc.v2\":{\"path\":\"runc\"},\"nvidia\":{\"path\":\"nvidia-container-runtime\"},\"runc\":{\"path\":\"runc\"}}",
                null, "");

        assertThat(check.available()).isTrue();
        assertThat(check.how()).isEqualTo("docker runtime 'nvidia'");
    }

    @Test
    void docker_withoutIt_saysWhichRuntimesItHasAndHowToAddIt() {
        ContainerGpuRuntime.Check check = ContainerGpuRuntime.docker("{\"io.containerd.runc.v2\":{\"path\":\"runc\"},\"runc\":{\"path\":\"runc\"}}",
                null, "");

        assertThat(check.available()).isFalse();
        assertThat(check.problem()).isEqualTo("docker has no NVIDIA runtime (docker info lists the runtimes io.containerd.runc.v2, runc); "
                + "install the NVIDIA Container Toolkit and run 'sudo nvidia-ctk runtime configure --runtime=docker' and restart docker");
    }

    @Test
    void docker_hookOnThePath_isEnoughForGpus() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        GpuFixtures.script(bin, "nvidia-container-runtime-hook", "exit 0\n");

        ContainerGpuRuntime.Check check = ContainerGpuRuntime.docker("{\"runc\":{\"path\":\"runc\"}}", null, "/nowhere:" + bin);

        assertThat(check.available()).isTrue();
        assertThat(check.how()).isEqualTo("nvidia-container-runtime-hook on the PATH");
    }

    @Test
    void docker_infoFailed_saysHow() {
        ContainerGpuRuntime.Check check = ContainerGpuRuntime.docker(null, "'docker info' failed: is docker installed and running?", null);

        assertThat(check.available()).isFalse();
        assertThat(check.problem()).startsWith("docker has no NVIDIA runtime ('docker info' failed: is docker installed and running?)");
    }

    @Test
    void docker_garbageAnswer_isNoRuntime() {
        assertThat(ContainerGpuRuntime.docker("<no value>", null, null).problem()).contains("docker info answered '<no value>'");
    }

    @Test
    void podman_withAnNvidiaCdiSpec_knowsItsDevices() throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc-cdi"));
        Files.writeString(etc.resolve("nvidia.yaml"), CDI_SPEC);
        Files.writeString(etc.resolve("other.json"), "{\"cdiVersion\":\"0.5.0\",\"kind\":\"vendor.com/fpga\",\"devices\":[{\"name\":\"x\"}]}");

        ContainerGpuRuntime.Check check = ContainerGpuRuntime.podman(List.of(etc, tmp.resolve("run-cdi")));

        assertThat(check.available()).isTrue();
        assertThat(check.how()).isEqualTo("CDI spec " + etc.resolve("nvidia.yaml"));
        assertThat(check.cdiDevices()).containsExactlyInAnyOrder("0", GpuFixtures.H100_UUID, "all");
    }

    @Test
    void podman_jsonSpec_isReadToo() {
        assertThat(ContainerGpuRuntime.cdiDeviceNames("{\"cdiVersion\":\"0.6.0\",\"kind\":\"nvidia.com/gpu\",\"devices\":[{\"name\":\"0\"},{\"name\":\"1\"}]}"))
                .containsExactly("0", "1");
    }

    @Test
    void podman_noSpec_saysHowToGenerateOne() {
        ContainerGpuRuntime.Check check = ContainerGpuRuntime.podman(List.of(tmp.resolve("etc-cdi"), tmp.resolve("run-cdi")));

        assertThat(check.available()).isFalse();
        assertThat(check.problem()).isEqualTo("podman finds no CDI spec for nvidia.com/gpu in " + tmp.resolve("etc-cdi") + ", "
                + tmp.resolve("run-cdi") + "; generate one with 'sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml'");
    }

    @Test
    void podman_unreadableSpec_isSkipped() throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc-cdi"));
        Files.writeString(etc.resolve("broken.yaml"), "kind: [nvidia.com/gpu\n");

        assertThat(ContainerGpuRuntime.podman(List.of(etc)).available()).isFalse();
    }
}
