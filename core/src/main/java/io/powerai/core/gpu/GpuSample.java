package io.powerai.core.gpu;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * One reading of one GPU during a run: {@code nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used,
 * power.draw}, with or without units. Values nvidia-smi does not know are null.
 */
public record GpuSample(String timestamp, int index, Double utilizationPercent, Double memoryUsedMiB, Double powerWatts) {
    /** The header of gpu-samples.csv; its rows are {@link #csv()}. */
    public static final String CSV_HEADER = "timestamp,index,utilization_gpu_percent,memory_used_mib,power_draw_watts";

    public static GpuSample parse(String line) throws NvidiaSmiFormatException {
        List<Map<String, String>> rows = NvidiaSmiCsv.rows(line, NvidiaSmi.SAMPLE_FIELDS);
        if (rows.size() != 1) {
            throw new NvidiaSmiFormatException("not one sample: '" + line.strip() + "'");
        }
        Map<String, String> row = rows.get(0);
        Integer index = Values.integer(row.get("index"));
        String timestamp = Values.text(row.get("timestamp"));
        if (index == null || timestamp == null || !timestamp.matches("[0-9/: .-]+")) {
            throw new NvidiaSmiFormatException("not a sample: '" + line.strip() + "'");
        }
        return new GpuSample(timestamp, index, Values.number(row.get("utilization.gpu")), Values.number(row.get("memory.used")),
                Values.number(row.get("power.draw")));
    }

    /** One CSV row, numbers without units, unknown values empty. */
    public String csv() {
        return timestamp + "," + index + "," + plain(utilizationPercent) + "," + plain(memoryUsedMiB) + "," + plain(powerWatts);
    }

    static String plain(Double value) {
        if (value == null) {
            return "";
        }
        BigDecimal d = BigDecimal.valueOf(value).stripTrailingZeros();
        return (d.scale() < 0 ? d.setScale(0) : d).toPlainString();
    }
}
