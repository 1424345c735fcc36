package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;
import java.util.TreeMap;

/**
 * A GPU stack as a result file holds it ({@code gpuStack}): the driver, the highest CUDA version it supports (both
 * written as null when unknown, as they always were), the image's cuDNN (absent when not declared), GPU model to
 * count, and the fingerprint of all of them. The live type with its comparisons is
 * {@code io.powerai.core.gpu.GpuStack}, which converts to and from this.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecordedGpuStack(@JsonInclude(JsonInclude.Include.ALWAYS) String driver,
                               @JsonInclude(JsonInclude.Include.ALWAYS) String cuda, String cudnn,
                               Map<String, Integer> models, String fingerprint) {
    public RecordedGpuStack {
        models = models == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(models));
    }
}
