package io.powerai.core.gpu;

import io.powerai.core.process.ProcessRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the stages use to see GPUs: nvidia-smi, where podman's CDI specs live, the agent's PATH (for the NVIDIA
 * container hook), and how often to sample during a run. A face builds it from its environment.
 */
public record GpuTools(NvidiaSmi nvidiaSmi, List<Path> cdiDirs, String pathVariable, Duration sampleInterval, Duration reportInterval) {
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(30);

    public GpuTools {
        cdiDirs = List.copyOf(cdiDirs);
    }

    /** nvidia-smi from {@value NvidiaSmi#ENVIRONMENT_VARIABLE} (else the PATH), the standard CDI folders. */
    public static GpuTools fromEnvironment(Map<String, String> environment) {
        return new GpuTools(NvidiaSmi.fromEnvironment(environment, new ProcessRunner()), ContainerGpuRuntime.DEFAULT_CDI_DIRS,
                environment.get("PATH"), DEFAULT_SAMPLE_INTERVAL, DEFAULT_REPORT_INTERVAL);
    }

    /** The plain defaults: nvidia-smi from the PATH. */
    public static GpuTools defaults() {
        return fromEnvironment(Map.of());
    }
}
