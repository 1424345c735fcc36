package io.powerai.core.stage.training;

import io.powerai.core.event.StageEvents;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training's output as it arrives, whoever runs it (a container, a native process, a pod's log stream): each
 * line is kept in the log file, read for a metric, and shown as an event. Thread-safe: lines may come from a
 * reader thread.
 */
public final class TrainingLog implements AutoCloseable {
    private final Path file;
    private final BufferedWriter writer;
    private final Metrics metrics;
    private final StageEvents events;
    private long lines;
    private String last;

    private TrainingLog(Path file, BufferedWriter writer, Metrics metrics, StageEvents events) {
        this.file = file;
        this.writer = writer;
        this.metrics = metrics;
        this.events = events;
    }

    public static TrainingLog open(Path file, Metrics metrics, StageEvents events) {
        try {
            return new TrainingLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8), metrics, events);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
        }
    }

    public void line(String line) {
        synchronized (this) {
            try {
                writer.write(line);
                writer.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
            }
            lines++;
            last = line;
        }
        Metrics.Point point = metrics.accept(line);
        events.log(point == null ? line : "metric " + point.name() + "=" + point.value()
                + (point.step() == null ? "" : " (step " + point.step() + ")"));
    }

    /** The last line kept, for the failure message; null before the first. */
    public synchronized String lastLine() {
        return last;
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training log " + file + ": " + e.getMessage(), e);
        }
    }
}
