package io.powerai.core.gpu;

/**
 * One MIG device (a GPU instance with its compute instance) of a GPU in MIG mode. nvidia-smi's XML names no MIG
 * UUID on most drivers; {@code nvidia-smi -L} does, and {@link NvidiaSmiList} fills it in.
 */
public record MigDevice(
        int index,
        Integer gpuInstanceId,
        Integer computeInstanceId,
        String uuid,
        String profile,
        Integer multiprocessors,
        Long memoryTotalMiB,
        Long memoryUsedMiB,
        Long memoryFreeMiB) {

    public MigDevice withIdentity(String newUuid, String newProfile) {
        return new MigDevice(index, gpuInstanceId, computeInstanceId, newUuid, newProfile, multiprocessors,
                memoryTotalMiB, memoryUsedMiB, memoryFreeMiB);
    }
}
