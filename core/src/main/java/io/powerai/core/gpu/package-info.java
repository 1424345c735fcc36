/**
 * NVIDIA GPUs as {@code nvidia-smi} reports them: pure parsers of its XML and CSV output, the checks made before
 * a GPU training starts (preflight), and the sampling of utilization, memory and power while it runs. The one
 * adapter, {@link io.powerai.core.gpu.NvidiaSmi}, starts {@code nvidia-smi} through the core's ProcessRunner.
 */
package io.powerai.core.gpu;
