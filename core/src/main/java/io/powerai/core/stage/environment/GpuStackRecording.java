package io.powerai.core.stage.environment;

import io.powerai.core.event.StageEvents;
import io.powerai.core.gpu.GpuProbe;
import io.powerai.core.gpu.GpuStack;
import io.powerai.core.json.Json;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.stage.StageContext;

import java.nio.file.Path;

/**
 * The GPU stack of the host a snapshot is taken on. Not part of the snapshot id: the same environment may be built on
 * any host, and the stack is what a later training compares itself with.
 */
final class GpuStackRecording {
    private GpuStackRecording() {
    }

    /** On a GPU host, the host's GPU stack, written to {@code file} and returned; elsewhere (no nvidia-smi, no GPU) null and no file. */
    static GpuStack record(StageContext ctx, EnvironmentSpec env, Path file, StageEvents events) {
        GpuProbe probe = ctx.gpu().nvidiaSmi().probe();
        if (!(probe instanceof GpuProbe.Found found) || found.inventory().count() == 0) {
            SnapshotLocks.deleteStale(file);
            return null;
        }
        GpuStack stack = GpuStack.of(found.inventory(), env.cudnn());
        Json.writeAtomically(file, Json.pretty(stack.toJson()));
        events.progress("GPU stack recorded with the snapshot: driver " + stack.driverVersion() + ", CUDA " + stack.cudaVersion()
                + ", " + found.inventory().summary());
        return stack;
    }
}
