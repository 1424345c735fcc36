package io.powerai.core.gpu;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.result.RecordedGpuStack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The GPU stack a run depends on, as a fingerprint: the host's driver, the highest CUDA version that driver
 * supports, its GPU models with their memory, and the cuDNN the image was built for. Recorded with a snapshot
 * taken on a GPU host, so that a later training on another stack is told what changed: a model that trained
 * on one driver and GPU is not always reproducible on another (kernels, TF32 defaults, memory limits).
 *
 * @param models GPU model to how many the host has, with each model's memory, e.g. "NVIDIA H100 80GB HBM3 (81559 MiB)" -> 1
 */
public record GpuStack(String driverVersion, String cudaVersion, String cudnnVersion, Map<String, Integer> models) {

    public GpuStack {
        models = Map.copyOf(new TreeMap<>(models));
    }

    /** The stack of the host {@code inventory} describes; {@code cudnn} is the image's (null when not declared). */
    public static GpuStack of(GpuInventory inventory, String cudnn) {
        Map<String, Integer> models = new TreeMap<>();
        for (Gpu gpu : inventory.gpus()) {
            String model = (gpu.name() == null ? "unknown model" : gpu.name())
                    + (gpu.memoryTotalMiB() == null ? "" : " (" + gpu.memoryTotalMiB() + " MiB)");
            models.merge(model, 1, Integer::sum);
        }
        return new GpuStack(inventory.driverVersion(), inventory.cudaVersion(), cudnn, models);
    }

    /** The stack recorded as {@link #toJson()} wrote it, or null when {@code value} is not one. */
    public static GpuStack fromJson(Object value) {
        if (!(value instanceof Map<?, ?> map) || !(map.get("models") instanceof Map<?, ?> models)) {
            return null;
        }
        Map<String, Integer> counts = new TreeMap<>();
        models.forEach((k, v) -> counts.put(String.valueOf(k), v instanceof Number n ? n.intValue() : 0));
        return new GpuStack(text(map.get("driver")), text(map.get("cuda")), text(map.get("cudnn")), counts);
    }

    /** The stack as a result file holds it ({@code gpuStack}). */
    public RecordedGpuStack toRecord() {
        return new RecordedGpuStack(driverVersion, cudaVersion, cudnnVersion, models, fingerprint());
    }

    /** The stack a result file recorded, or null when it recorded none. */
    public static GpuStack fromRecord(RecordedGpuStack recorded) {
        return recorded == null ? null : new GpuStack(recorded.driver(), recorded.cuda(), recorded.cudnn(), recorded.models());
    }

    /** As the result, the audit log and gpu-stack.json keep it; the fingerprint is the SHA-256 of the rest. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("driver", driverVersion);
        out.put("cuda", cudaVersion);
        if (cudnnVersion != null) {
            out.put("cudnn", cudnnVersion);
        }
        out.put("models", new TreeMap<>(models));
        out.put("fingerprint", fingerprint());
        return out;
    }

    public String fingerprint() {
        Map<String, Object> identity = new TreeMap<>();
        identity.put("driver", driverVersion);
        identity.put("cuda", cudaVersion);
        identity.put("cudnn", cudnnVersion);
        identity.put("models", new TreeMap<>(models));
        return "sha256:" + Digests.sha256(Json.canonical(identity));
    }

    /**
     * What differs from {@code recorded} to this stack, one phrase each ("driver 535.104.05 -> 580.159.04");
     * empty when they are the same. A cuDNN version only one side declares is not a difference.
     */
    public List<String> changesSince(GpuStack recorded) {
        List<String> changes = new ArrayList<>();
        change(changes, "driver", recorded.driverVersion, driverVersion);
        change(changes, "CUDA (driver)", recorded.cudaVersion, cudaVersion);
        if (recorded.cudnnVersion != null && cudnnVersion != null) {
            change(changes, "cuDNN", recorded.cudnnVersion, cudnnVersion);
        }
        if (!recorded.models.equals(models)) {
            changes.add("GPUs " + describe(recorded.models) + " -> " + describe(models));
        }
        return changes;
    }

    private static void change(List<String> changes, String what, String before, String now) {
        if (!Objects.equals(before, now)) {
            changes.add(what + " " + (before == null ? "unknown" : before) + " -> " + (now == null ? "unknown" : now));
        }
    }

    private static String describe(Map<String, Integer> models) {
        if (models.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        models.forEach((model, count) -> parts.add(count + " x " + model));
        return String.join(" + ", parts);
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }
}
