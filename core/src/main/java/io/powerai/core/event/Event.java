package io.powerai.core.event;

import java.util.Objects;

/**
 * Something the engine wants a person to know. The core never prints: each face renders events its own way
 * (the CLI as {@code [gpuTrain] message}).
 */
public record Event(String stage, Kind kind, String message) {
    public enum Kind {
        /** A step of the stage's own work. */
        PROGRESS,
        /** A line of output from a process the stage runs (training log, container log). */
        LOG,
        /** Something that did not stop the stage but that a person should look at. */
        WARNING
    }

    public Event {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }
}
