package io.powerai.core.stage.training;

import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.gpu.ContainerGpuRuntime;
import io.powerai.core.gpu.GpuTools;

import java.util.List;
import java.util.Optional;

/**
 * Where a training on this agent runs, as its backend says ({@code AgentTraining.placement()}): what its limits and
 * failures are described against, and how it is handed its GPUs, which {@link TrainingGpu#plan} asks of it rather
 * than asking where the run is.
 */
public enum Placement {
    /** In a container of the snapshot image: the engine gives the GPUs and may set a memory limit. */
    CONTAINER {
        @Override
        List<String> cudaVisibleDevices(List<String> devices) {
            return null; // the engine hands the devices over; the container sees only those
        }

        @Override
        ContainerGpuRuntime.Check runtime(ContainerEngine engine, GpuTools tools) {
            if (engine.kind() == ContainerEngine.Kind.PODMAN) {
                return ContainerGpuRuntime.podman(tools.cdiDirs());
            }
            Optional<String> runtimes = engine.info("{{json .Runtimes}}");
            return ContainerGpuRuntime.docker(runtimes.orElse(null), runtimes.isPresent() ? null
                    : "'" + engine.binary() + " info' failed: is docker installed and running?", tools.pathVariable());
        }

        @Override
        boolean runsTheSnapshotImage() {
            return true;
        }
    },
    /** On the agent's own Python: CUDA_VISIBLE_DEVICES names the GPUs; the host's limits apply. */
    HOST {
        @Override
        List<String> cudaVisibleDevices(List<String> devices) {
            return devices; // empty hides every GPU: a CPU run must not use them just because no container hides them
        }

        @Override
        ContainerGpuRuntime.Check runtime(ContainerEngine engine, GpuTools tools) {
            return null; // no container: no runtime to hand the GPUs over
        }

        @Override
        boolean runsTheSnapshotImage() {
            return false;
        }
    };

    /** CUDA_VISIBLE_DEVICES for a run that may use {@code devices} (empty: none), or null to leave it unset. */
    abstract List<String> cudaVisibleDevices(List<String> devices);

    /** The check that the engine can hand GPUs to a container, or null where no container runs. */
    abstract ContainerGpuRuntime.Check runtime(ContainerEngine engine, GpuTools tools);

    /** Whether the run uses the snapshot image, so that the CUDA version it was built for is what the driver must run. */
    abstract boolean runsTheSnapshotImage();
}
