package io.powerai.core.event;

/** The events of one stage: saves every call site from naming its stage again. */
public final class StageEvents {
    private final String stage;
    private final EventSink sink;

    StageEvents(String stage, EventSink sink) {
        this.stage = stage;
        this.sink = sink;
    }

    public String stage() {
        return stage;
    }

    public void progress(String message) {
        sink.accept(new Event(stage, Event.Kind.PROGRESS, message));
    }

    public void log(String line) {
        sink.accept(new Event(stage, Event.Kind.LOG, line));
    }

    public void warning(String message) {
        sink.accept(new Event(stage, Event.Kind.WARNING, message));
    }
}
