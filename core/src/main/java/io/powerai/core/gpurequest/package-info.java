/**
 * What a training asks of the GPUs, as values and pure rules: the request ({@code gpus}), the policy when the
 * preflight fails ({@code gpu_policy}), the free-memory rule ({@code gpu_min_free_memory}) and which CUDA versions a
 * driver runs (CudaCompatibility). Apart from the GPU adapter (gpu/) so that the spec names them without depending on
 * an adapter that runs processes; depends on nothing of powerai.
 */
package io.powerai.core.gpurequest;
