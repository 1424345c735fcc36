package io.powerai.core.gpu;

/**
 * What asking nvidia-smi about the host gave: the GPUs, or why there are none to use. Never an exception: a
 * host without GPUs is an answer, and the caller's policy decides whether it is an error.
 */
public sealed interface GpuProbe {

    /** One line for messages: what was found, or what went wrong. */
    String describe();

    record Found(GpuInventory inventory) implements GpuProbe {
        @Override
        public String describe() {
            return inventory.count() + " GPU(s): " + inventory.summary() + ", driver " + inventory.driverVersion()
                    + ", CUDA " + inventory.cudaVersion();
        }
    }

    enum Reason {
        /** nvidia-smi cannot be started: no NVIDIA driver is installed (or it is not on the PATH). */
        NOT_INSTALLED("nvidia-smi is not installed"),
        /** nvidia-smi runs but reports no GPU. */
        NO_DEVICES("nvidia-smi finds no GPU"),
        /** The driver's user-space tools are there, its kernel module is not loaded or does not answer. */
        DRIVER_NOT_LOADED("the NVIDIA driver is not loaded"),
        /** nvidia-smi exited with an error or did not answer in time. */
        FAILED("nvidia-smi failed"),
        /** nvidia-smi answered with something that is not its output format. */
        UNPARSEABLE("nvidia-smi's output cannot be read");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    record Unavailable(Reason reason, String detail) implements GpuProbe {
        @Override
        public String describe() {
            return reason.text() + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
        }
    }
}
