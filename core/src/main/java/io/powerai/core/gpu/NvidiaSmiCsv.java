package io.powerai.core.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the CSV that {@code nvidia-smi --query-gpu=... --format=csv} and {@code --query-compute-apps=...}
 * print, with or without the header ({@code noheader}) and the units ({@code nounits}): "81559 MiB" and "81559"
 * read the same. nvidia-smi does not quote; a process or GPU name with a comma in it keeps the extra cells.
 */
public final class NvidiaSmiCsv {
    /** The query this project runs for a GPU listing, in this order. */
    public static final List<String> GPU_FIELDS = List.of("index", "uuid", "name", "driver_version", "memory.total",
            "memory.used", "memory.free", "utilization.gpu", "power.draw", "power.limit", "pci.bus_id");
    /** The query for the processes computing on the GPUs. */
    public static final List<String> APP_FIELDS = List.of("gpu_uuid", "pid", "process_name", "used_memory");

    private NvidiaSmiCsv() {
    }

    /**
     * The rows as field name to raw text. With a header line, the names come from it (units in brackets dropped,
     * nvidia-smi's {@code used_gpu_memory} read as the query's {@code used_memory}); without one, from
     * {@code fieldsIfNoHeader} (null when a header is required).
     */
    public static List<Map<String, String>> rows(String text, List<String> fieldsIfNoHeader) throws NvidiaSmiFormatException {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        List<String> fields;
        int first;
        List<String> firstCells = cells(lines.get(0));
        List<String> headerNames = firstCells.stream().map(NvidiaSmiCsv::fieldName).toList();
        if (fieldsIfNoHeader == null || headerNames.equals(fieldsIfNoHeader) || looksLikeHeader(headerNames)) {
            fields = headerNames;
            first = 1;
        } else {
            fields = fieldsIfNoHeader;
            first = 0;
        }
        for (int i = first; i < lines.size(); i++) {
            List<String> cells = cells(lines.get(i));
            if (cells.size() > fields.size()) {
                cells = mergeIntoName(cells, fields);
            }
            if (cells.size() != fields.size()) {
                throw new NvidiaSmiFormatException("line " + (i + 1) + " has " + cells.size() + " value(s) where "
                        + fields.size() + " (" + String.join(", ", fields) + ") were expected: '" + lines.get(i) + "'");
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < fields.size(); c++) {
                row.put(fields.get(c), cells.get(c));
            }
            rows.add(row);
        }
        return rows;
    }

    /** GPUs from a --query-gpu listing; it must include {@code index}. */
    public static List<Gpu> gpus(String text, List<String> fieldsIfNoHeader) throws NvidiaSmiFormatException {
        List<Gpu> gpus = new ArrayList<>();
        int line = 0;
        for (Map<String, String> row : rows(text, fieldsIfNoHeader)) {
            line++;
            if (!row.containsKey("index")) {
                throw new NvidiaSmiFormatException("the GPU query has no 'index' field: " + String.join(", ", row.keySet()));
            }
            try {
                Integer index = Values.integer(row.get("index"));
                if (index == null) {
                    throw new NvidiaSmiFormatException("no index");
                }
                gpus.add(new Gpu(index, Values.text(row.get("uuid")), Values.text(row.get("name")),
                        Values.text(row.get("pci.bus_id")),
                        Values.whole(row.get("memory.total")), Values.whole(row.get("memory.used")),
                        Values.whole(row.get("memory.free")), Values.integer(row.get("utilization.gpu")),
                        Values.number(row.get("power.draw")), Values.number(row.get("power.limit")),
                        Values.text(row.get("mig.mode.current")), List.of(), List.of()));
            } catch (NvidiaSmiFormatException e) {
                throw new NvidiaSmiFormatException("GPU row " + line + ": " + e.getMessage(), e);
            }
        }
        return gpus;
    }

    /** Processes from a --query-compute-apps listing (compute processes only, so their type is "C"). */
    public static List<GpuProcess> computeApps(String text, List<String> fieldsIfNoHeader) throws NvidiaSmiFormatException {
        List<GpuProcess> apps = new ArrayList<>();
        for (Map<String, String> row : rows(text, fieldsIfNoHeader)) {
            Long pid = Values.whole(row.get("pid"));
            if (pid == null) {
                throw new NvidiaSmiFormatException("a compute process without a pid: " + row);
            }
            apps.add(new GpuProcess(Values.text(row.get("gpu_uuid")), pid, Values.text(row.get("process_name")), "C",
                    Values.whole(row.get("used_memory"))));
        }
        return apps;
    }

    static List<String> cells(String line) {
        return Arrays.stream(line.split(",", -1)).map(String::strip).toList();
    }

    /** "memory.total [MiB]" -> "memory.total"; nvidia-smi names the used_memory query field used_gpu_memory. */
    static String fieldName(String headerCell) {
        String name = headerCell.replaceAll("\\s*\\[[^]]*]$", "").strip();
        return name.equals("used_gpu_memory") ? "used_memory" : name;
    }

    private static boolean looksLikeHeader(List<String> names) {
        // Data rows start with an index, a timestamp, a pid or a UUID; a header row starts with a field name.
        String first = names.get(0);
        return first.matches("[a-z_]+(\\.[a-z_]+)*") && !first.startsWith("gpu-") && names.stream().noneMatch(n -> n.matches(".*[0-9]{3,}.*"));
    }

    private static List<String> mergeIntoName(List<String> cells, List<String> fields) {
        int nameAt = fields.indexOf("process_name") >= 0 ? fields.indexOf("process_name") : fields.indexOf("name");
        if (nameAt < 0) {
            return cells;
        }
        int extra = cells.size() - fields.size();
        List<String> out = new ArrayList<>(cells.subList(0, nameAt));
        out.add(String.join(",", cells.subList(nameAt, nameAt + extra + 1)));
        out.addAll(cells.subList(nameAt + extra + 1, cells.size()));
        return out;
    }
}
