package io.powerai.core.gpu;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per GPU: how many samples, mean and highest utilization, peak memory, mean and highest power. */
public final class TelemetrySummary {
    private static final class Stats {
        long samples;
        double utilSum;
        long utilCount;
        Double utilMax;
        Double memoryPeak;
        double powerSum;
        long powerCount;
        Double powerMax;
    }

    private final Map<Integer, Stats> byGpu = new TreeMap<>();
    private long samples;

    public synchronized void add(GpuSample s) {
        samples++;
        Stats st = byGpu.computeIfAbsent(s.index(), i -> new Stats());
        st.samples++;
        if (s.utilizationPercent() != null) {
            st.utilSum += s.utilizationPercent();
            st.utilCount++;
            st.utilMax = st.utilMax == null ? s.utilizationPercent() : Math.max(st.utilMax, s.utilizationPercent());
        }
        if (s.memoryUsedMiB() != null) {
            st.memoryPeak = st.memoryPeak == null ? s.memoryUsedMiB() : Math.max(st.memoryPeak, s.memoryUsedMiB());
        }
        if (s.powerWatts() != null) {
            st.powerSum += s.powerWatts();
            st.powerCount++;
            st.powerMax = st.powerMax == null ? s.powerWatts() : Math.max(st.powerMax, s.powerWatts());
        }
    }

    public synchronized long samples() {
        return samples;
    }

    /** One entry per GPU, in index order; numbers rounded to one decimal (memory to whole MiB). */
    public synchronized List<Map<String, Object>> gpus() {
        List<Map<String, Object>> out = new ArrayList<>();
        byGpu.forEach((index, st) -> {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("index", index);
            g.put("samples", st.samples);
            putIfSet(g, "utilizationMeanPercent", st.utilCount == 0 ? null : round(st.utilSum / st.utilCount));
            putIfSet(g, "utilizationMaxPercent", st.utilMax == null ? null : round(st.utilMax));
            putIfSet(g, "memoryPeakMiB", st.memoryPeak == null ? null : Math.round(st.memoryPeak));
            putIfSet(g, "powerMeanWatts", st.powerCount == 0 ? null : round(st.powerSum / st.powerCount));
            putIfSet(g, "powerMaxWatts", st.powerMax == null ? null : round(st.powerMax));
            out.add(g);
        });
        return out;
    }

    /** "GPU 0: mean 7.1% (max 88%), peak 15303 MiB, mean 139.4 W" per GPU, for the progress line. */
    public synchronized String describe() {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> g : gpus()) {
            parts.add("GPU " + g.get("index") + ": utilization mean " + show(g.get("utilizationMeanPercent")) + "% (max "
                    + show(g.get("utilizationMaxPercent")) + "%), memory peak " + show(g.get("memoryPeakMiB")) + " MiB, power mean "
                    + show(g.get("powerMeanWatts")) + " W");
        }
        return parts.isEmpty() ? "no samples" : String.join("; ", parts);
    }

    private static String show(Object value) {
        return value == null ? "n/a" : String.valueOf(value);
    }

    static double round(double value) {
        return BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP).doubleValue();
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
