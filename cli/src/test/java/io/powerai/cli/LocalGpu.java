package io.powerai.cli;

import io.powerai.core.process.ProcessRunner;
import io.powerai.core.gpu.GpuProbe;
import io.powerai.core.gpu.NvidiaSmi;
import org.junit.jupiter.api.Assumptions;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A GPU that a test can train on: nvidia-smi finds one, and a Python whose torch sees it (the native backend runs
 * the host's Python). Tests that need it call {@link #require()}: they skip with the reason on a machine without
 * one, as CI's machines are, and fail when told the GPU is there (-Dpowerai.gpu=required, on a GPU host).
 * -Dpowerai.gpu.python names the Python (default python3).
 */
final class LocalGpu {
    private LocalGpu() {
    }

    static String python() {
        return System.getProperty("powerai.gpu.python", "python3");
    }

    static void require() {
        require(System.getenv(), python(), "required".equals(System.getProperty("powerai.gpu")));
    }

    static void require(Map<String, String> environment, String python, boolean required) {
        String missing = missing(environment, python);
        if (missing == null) {
            return;
        }
        if (required) {
            throw new AssertionError("a GPU is required (-Dpowerai.gpu=required) but " + missing);
        }
        Assumptions.abort("needs a GPU: " + missing);
    }

    /** Why a GPU test cannot run here, or null when it can. */
    static String missing(Map<String, String> environment, String python) {
        GpuProbe probe = NvidiaSmi.fromEnvironment(environment, new ProcessRunner()).probe();
        if (!(probe instanceof GpuProbe.Found)) {
            return probe.describe();
        }
        try {
            ProcessRunner.Result torch = new ProcessRunner().run(List.of(python, "-c",
                    "import torch, sys; print('torch', torch.__version__, 'CUDA', torch.version.cuda); sys.exit(0 if torch.cuda.is_available() else 1)"),
                    Duration.ofSeconds(60));
            return torch.exitCode() == 0 ? null : python + " has no torch that sees the GPU: " + torch.lastLines(1);
        } catch (ProcessRunner.NotStarted e) {
            return python + " cannot be started (" + e.getMessage() + "); name a Python with -Dpowerai.gpu.python";
        }
    }
}
