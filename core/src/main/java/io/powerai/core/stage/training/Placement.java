package io.powerai.core.stage.training;

/** Where a training on this agent runs: what its GPUs, its limits and its failures are described against. */
public enum Placement {
    /** In a container of the snapshot image: the engine gives the GPUs and may set a memory limit. */
    CONTAINER,
    /** On the agent's own Python: CUDA_VISIBLE_DEVICES names the GPUs; the host's limits apply. */
    HOST
}
