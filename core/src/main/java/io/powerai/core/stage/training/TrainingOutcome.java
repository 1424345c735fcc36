package io.powerai.core.stage.training;

import io.powerai.core.process.ProcessRunner;
import io.powerai.core.image.ImageReference;

/** How a training run ended, in the words of the result file and the audit log. */
public final class TrainingOutcome {
    private TrainingOutcome() {
    }

    /** The failure's message for a non-zero exit code. */
    public static String exitFailure(int exitCode, Placement placement) {
        if (exitCode == 137) {
            return "the training was killed (exit code 137, SIGKILL: most often the out-of-memory killer"
                    + (placement == Placement.CONTAINER ? ", or the container's memory limit" : "") + ")";
        }
        if (exitCode == 139) {
            return "the training crashed (exit code 139, SIGSEGV: a segmentation fault)";
        }
        return "the training script exited with code " + exitCode;
    }

    /** Why a finished run failed, in words; null when it succeeded. */
    public static String failure(ProcessRunner.Result result, java.time.Duration timeout, Placement placement) {
        return result.timedOut()
                ? "timed out after " + io.powerai.core.spec.Durations.format(timeout) + " and was stopped"
                : result.exitCode() != 0 ? exitFailure(result.exitCode(), placement) : null;
    }

    /** A word for scripts and dashboards: timeout, killed or exit-code; null for a success. */
    public static String reason(ProcessRunner.Result result) {
        if (result.timedOut()) {
            return "timeout";
        }
        if (result.exitCode() == 137) {
            return "killed";
        }
        return result.exitCode() == 0 ? null : "exit-code";
    }

    /** Pinned: a container image named by digest. A tag can move; a native run has no image at all. */
    public static boolean pinned(String image) {
        if (image == null) {
            return false;
        }
        try {
            return ImageReference.parse(image).digest().isPresent();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the engine refused because it could not attach the GPUs (no NVIDIA toolkit, no CDI spec). */
    public static boolean gpuSetupFailed(String engineOutput) {
        return engineOutput.contains("could not select device driver") || engineOutput.contains("nvidia-container-cli")
                || engineOutput.contains("CDI device") || engineOutput.contains("nvidia-container-runtime");
    }
}
