package io.powerai.core.gpu;

import io.powerai.core.process.ProcessRunner;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Samples GPU utilization, memory and power for the length of a run: one nvidia-smi in its own loop, each line
 * kept in a CSV file and added to a {@link TelemetrySummary}. A sampler that cannot start or dies says so in its
 * summary; it never fails the training it watches.
 */
public final class GpuSampler {
    private final TelemetrySummary summary = new TelemetrySummary();
    private final Map<Integer, GpuSample> latest = new TreeMap<>();
    private final BufferedWriter csv;
    private final Path csvFile;
    private final Duration interval;
    private final Duration reportEvery;
    private final Consumer<String> report;
    private ProcessRunner.Background process;
    private String notStarted;
    private String firstBadLine;
    private long badLines;
    private long lastReport = System.nanoTime();

    private GpuSampler(Path csvFile, Duration interval, Duration reportEvery, Consumer<String> report) throws IOException {
        this.csvFile = csvFile;
        this.interval = interval;
        this.reportEvery = reportEvery;
        this.report = report;
        Files.createDirectories(csvFile.toAbsolutePath().getParent());
        this.csv = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8);
        csv.write(GpuSample.CSV_HEADER);
        csv.newLine();
    }

    /**
     * Starts sampling GPUs {@code ids} (all where empty) into {@code csvFile}; every {@code reportEvery} the latest
     * readings go to {@code report} as one line ("GPU 0: 87%, 15303 MiB, 247.6 W").
     */
    public static GpuSampler start(NvidiaSmi nvidiaSmi, List<String> ids, Duration interval, Path csvFile, Duration reportEvery,
                                   Consumer<String> report) {
        GpuSampler sampler;
        try {
            sampler = new GpuSampler(csvFile, interval, reportEvery, report);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + csvFile + ": " + e.getMessage(), e);
        }
        try {
            sampler.process = nvidiaSmi.startSampling(ids, interval, sampler::accept);
        } catch (ProcessRunner.NotStarted e) {
            sampler.notStarted = e.getMessage();
        }
        return sampler;
    }

    /**
     * A sampling that ran elsewhere (nvidia-smi's CSV lines kept in a file by the training container of a pod), read
     * as if it had been watched here; {@code missing}, when not null, says why there are no lines.
     */
    public static GpuSampler replay(List<String> lines, String missing, Duration interval, Path csvFile) {
        GpuSampler sampler;
        try {
            sampler = new GpuSampler(csvFile, interval, Duration.ofDays(1), text -> { });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + csvFile + ": " + e.getMessage(), e);
        }
        sampler.notStarted = missing;
        lines.forEach(sampler::accept);
        return sampler;
    }

    void accept(String line) {
        if (line.isBlank()) {
            return;
        }
        GpuSample sample;
        try {
            sample = GpuSample.parse(line);
        } catch (NvidiaSmiFormatException e) {
            synchronized (this) {
                badLines++;
                if (firstBadLine == null) {
                    firstBadLine = line.strip();
                }
            }
            return;
        }
        summary.add(sample);
        String due = null;
        synchronized (this) {
            try {
                csv.write(sample.csv());
                csv.newLine();
            } catch (IOException e) {
                // the summary still counts it; the file is best effort
            }
            latest.put(sample.index(), sample);
            long now = System.nanoTime();
            if (now - lastReport >= reportEvery.toNanos()) {
                lastReport = now;
                StringBuilder text = new StringBuilder();
                for (GpuSample s : latest.values()) {
                    text.append(text.length() == 0 ? "" : "; ").append("GPU ").append(s.index()).append(": ")
                            .append(GpuSample.plain(s.utilizationPercent())).append("%, ")
                            .append(GpuSample.plain(s.memoryUsedMiB())).append(" MiB, ")
                            .append(GpuSample.plain(s.powerWatts())).append(" W");
                }
                due = text.toString();
            }
        }
        if (due != null) {
            report.accept(due);
        }
    }

    /** Stops sampling and returns what the result records: the file, the interval, the per-GPU summary, and trouble. */
    public Map<String, Object> stop() {
        String exit = null;
        if (process != null) {
            boolean diedEarly = !process.isAlive();
            ProcessRunner.Result result = process.stop();
            if (diedEarly && result.exitCode() != 0) {
                exit = "nvidia-smi stopped sampling with exit code " + result.exitCode()
                        + (result.lines().isEmpty() ? "" : ": " + result.lastLines(1));
            }
        }
        synchronized (this) {
            try {
                csv.close();
            } catch (IOException e) {
                // nothing more to write
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("intervalMillis", interval.toMillis());
            out.put("samples", summary.samples());
            out.put("gpus", summary.gpus());
            String problem = notStarted != null ? "sampling could not start: " + notStarted
                    : exit != null ? exit
                    : summary.samples() == 0 ? "nvidia-smi gave no samples" + (firstBadLine == null ? "" : ": '" + firstBadLine + "'")
                    : null;
            if (problem != null) {
                out.put("problem", problem);
            }
            if (badLines > 0) {
                out.put("unreadableLines", badLines);
            }
            return out;
        }
    }

    public TelemetrySummary summary() {
        return summary;
    }

    public Path csvFile() {
        return csvFile;
    }
}
