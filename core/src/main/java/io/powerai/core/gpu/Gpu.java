package io.powerai.core.gpu;

import java.util.List;

/**
 * One physical GPU as nvidia-smi reports it. Values nvidia-smi does not know ("N/A", "[Not Supported]", and the
 * memory of a GPU whose memory is split into MIG devices) are null.
 *
 * @param index nvidia-smi's (NVML's) index, the order of PCI bus ids; the index docker and CDI use too
 * @param migMode "Enabled", "Disabled", or null where the GPU cannot be partitioned
 */
public record Gpu(
        int index,
        String uuid,
        String name,
        String pciBusId,
        Long memoryTotalMiB,
        Long memoryUsedMiB,
        Long memoryFreeMiB,
        Integer utilizationPercent,
        Double powerDrawWatts,
        Double powerLimitWatts,
        String migMode,
        List<MigDevice> migDevices,
        List<GpuProcess> processes) {

    public Gpu {
        migDevices = List.copyOf(migDevices);
        processes = List.copyOf(processes);
    }

    /** A GPU in MIG mode runs CUDA only in its MIG devices, never as a whole. */
    public boolean migEnabled() {
        return "Enabled".equalsIgnoreCase(migMode);
    }

    /** Processes that compute on this GPU (type C or C+G); graphics-only ones (a desktop's X server) do not count. */
    public List<GpuProcess> computeProcesses() {
        return processes.stream().filter(GpuProcess::isCompute).toList();
    }

    public Gpu withProcesses(List<GpuProcess> value) {
        return new Gpu(index, uuid, name, pciBusId, memoryTotalMiB, memoryUsedMiB, memoryFreeMiB, utilizationPercent,
                powerDrawWatts, powerLimitWatts, migMode, migDevices, value);
    }

    /** "GPU 0 (NVIDIA H100 80GB HBM3)": how messages name a GPU. */
    public String label() {
        return "GPU " + index + (name == null ? "" : " (" + name + ")");
    }
}
