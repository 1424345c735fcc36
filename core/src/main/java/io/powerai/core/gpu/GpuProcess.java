package io.powerai.core.gpu;

/**
 * A process holding a GPU.
 *
 * @param gpuUuid the GPU it runs on, where the source names it (CSV with gpu_uuid, or the XML's enclosing GPU)
 * @param type "C" compute, "G" graphics, "C+G" both; null where the source does not say (CSV lists compute only)
 */
public record GpuProcess(String gpuUuid, long pid, String name, String type, Long usedMemoryMiB) {

    public boolean isCompute() {
        return type == null || type.contains("C");
    }

    /** "python3 (pid 414, 21700 MiB)". */
    public String label() {
        return (name == null || name.isBlank() ? "a process" : name) + " (pid " + pid
                + (usedMemoryMiB == null ? "" : ", " + usedMemoryMiB + " MiB") + ")";
    }
}
