package io.powerai.core.gpu;

/** nvidia-smi's output is not what the parser knows: garbage, a truncated document, an unknown shape. */
public final class NvidiaSmiFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public NvidiaSmiFormatException(String message) {
        super(message);
    }

    public NvidiaSmiFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
