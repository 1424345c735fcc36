package io.powerai.cli;

import io.powerai.core.event.Event;
import io.powerai.core.event.EventSink;

import java.io.PrintStream;

/** Renders the core's events as lines prefixed with the stage: {@code [gpuTrain] metric accuracy=0.97}. */
final class Console implements EventSink {
    private final PrintStream out;

    Console(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void accept(Event event) {
        String prefix = "[" + event.stage() + "] ";
        switch (event.kind()) {
            case WARNING -> out.println(prefix + "WARNING: " + event.message());
            case LOG -> out.println(prefix + "| " + event.message());
            default -> out.println(prefix + event.message());
        }
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }
}
