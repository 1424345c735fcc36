package io.powerai.core.event;

/** Receives the engine's events; implementations must be thread-safe (process output arrives on its own thread). */
@FunctionalInterface
public interface EventSink {
    void accept(Event event);

    static EventSink discarding() {
        return event -> { };
    }

    /** A sink bound to one stage, the form stages use. */
    default StageEvents forStage(String stage) {
        return new StageEvents(stage, this);
    }
}
