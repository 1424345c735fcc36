package io.powerai.core.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What a host has: the driver, the highest CUDA version it supports, and its GPUs in index order. */
public record GpuInventory(String driverVersion, String cudaVersion, List<Gpu> gpus) {

    public GpuInventory {
        gpus = List.copyOf(gpus);
    }

    public int count() {
        return gpus.size();
    }

    /** The GPU that {@code id} names: an index ("0"), a GPU UUID ("GPU-..."), or a MIG device's UUID ("MIG-..."). */
    public Optional<Gpu> find(String id) {
        String wanted = id.strip();
        for (Gpu gpu : gpus) {
            if (wanted.equals(String.valueOf(gpu.index())) || wanted.equalsIgnoreCase(gpu.uuid())) {
                return Optional.of(gpu);
            }
            for (MigDevice mig : gpu.migDevices()) {
                if (mig.uuid() != null && wanted.equalsIgnoreCase(mig.uuid())) {
                    return Optional.of(gpu);
                }
            }
        }
        return Optional.empty();
    }

    /** The MIG device that {@code id} names by UUID. */
    public Optional<MigDevice> findMig(String id) {
        for (Gpu gpu : gpus) {
            for (MigDevice mig : gpu.migDevices()) {
                if (mig.uuid() != null && mig.uuid().equalsIgnoreCase(id.strip())) {
                    return Optional.of(mig);
                }
            }
        }
        return Optional.empty();
    }

    /** "0, 1 (2 x NVIDIA H100 80GB HBM3)": what the host has, for messages. */
    public String summary() {
        if (gpus.isEmpty()) {
            return "no GPU";
        }
        List<String> indexes = new ArrayList<>();
        Map<String, Integer> models = new LinkedHashMap<>();
        for (Gpu gpu : gpus) {
            indexes.add(String.valueOf(gpu.index()));
            models.merge(gpu.name() == null ? "unknown model" : gpu.name(), 1, Integer::sum);
        }
        List<String> kinds = new ArrayList<>();
        models.forEach((model, n) -> kinds.add(n + " x " + model));
        return String.join(", ", indexes) + " (" + String.join(", ", kinds) + ")";
    }

    /** The facts as plain maps and lists, for result files, audit records and {@code powerai gpu info}. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("driverVersion", driverVersion);
        out.put("cudaVersion", cudaVersion);
        out.put("count", gpus.size());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Gpu gpu : gpus) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("index", gpu.index());
            putIfSet(g, "uuid", gpu.uuid());
            putIfSet(g, "name", gpu.name());
            putIfSet(g, "pciBusId", gpu.pciBusId());
            putIfSet(g, "memoryTotalMiB", gpu.memoryTotalMiB());
            putIfSet(g, "memoryUsedMiB", gpu.memoryUsedMiB());
            putIfSet(g, "memoryFreeMiB", gpu.memoryFreeMiB());
            putIfSet(g, "utilizationPercent", gpu.utilizationPercent());
            putIfSet(g, "powerDrawWatts", gpu.powerDrawWatts());
            putIfSet(g, "powerLimitWatts", gpu.powerLimitWatts());
            g.put("migMode", gpu.migMode() == null ? "N/A" : gpu.migMode().toLowerCase(Locale.ROOT));
            if (!gpu.migDevices().isEmpty()) {
                List<Map<String, Object>> migs = new ArrayList<>();
                for (MigDevice mig : gpu.migDevices()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("index", mig.index());
                    putIfSet(m, "uuid", mig.uuid());
                    putIfSet(m, "profile", mig.profile());
                    putIfSet(m, "gpuInstanceId", mig.gpuInstanceId());
                    putIfSet(m, "computeInstanceId", mig.computeInstanceId());
                    putIfSet(m, "multiprocessors", mig.multiprocessors());
                    putIfSet(m, "memoryTotalMiB", mig.memoryTotalMiB());
                    putIfSet(m, "memoryUsedMiB", mig.memoryUsedMiB());
                    putIfSet(m, "memoryFreeMiB", mig.memoryFreeMiB());
                    migs.add(m);
                }
                g.put("migDevices", migs);
            }
            List<Map<String, Object>> processes = new ArrayList<>();
            for (GpuProcess p : gpu.processes()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", p.pid());
                putIfSet(m, "name", p.name());
                putIfSet(m, "type", p.type());
                putIfSet(m, "usedMemoryMiB", p.usedMemoryMiB());
                processes.add(m);
            }
            g.put("processes", processes);
            list.add(g);
        }
        out.put("gpus", list);
        return out;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
