package io.powerai.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GPU tests skip with the reason where there is no GPU, and fail instead when a GPU host says it has one. */
class LocalGpuTest {
    private static final Map<String, String> NO_NVIDIA_SMI = Map.of("POWERAI_NVIDIA_SMI", "/nonexistent/nvidia-smi");

    @TempDir
    Path tmp;

    @Test
    void require_noNvidiaSmi_skipsWithTheReason() {
        assertThatThrownBy(() -> LocalGpu.require(NO_NVIDIA_SMI, "python3", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageStartingWith("needs a GPU: nvidia-smi is not installed");
    }

    @Test
    void require_noNvidiaSmi_gpuRequired_fails() {
        assertThatThrownBy(() -> LocalGpu.require(NO_NVIDIA_SMI, "python3", true))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("a GPU is required (-Dpowerai.gpu=required) but nvidia-smi is not installed");
    }

    @Test
    void require_aGpuButNoPython_skipsNamingThePython() throws IOException {
        // nvidia-smi answering as the recorded H100 host: the GPU is found, the Python is what is missing.
        Path xml = tmp.resolve("q.xml");
        try (InputStream in = LocalGpuTest.class.getResourceAsStream("/io/powerai/cli/gpu/h100-nvidia-smi-q.xml")) {
            Files.write(xml, in.readAllBytes());
        }
        Path smi = tmp.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\ncat '" + xml + "'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> LocalGpu.require(Map.of("POWERAI_NVIDIA_SMI", smi.toString()), "/nonexistent/python3", false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageStartingWith("needs a GPU: /nonexistent/python3 cannot be started");
    }
}
