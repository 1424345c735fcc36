package io.powerai.core.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Virtual time: a sleep advances the clock at once, is recorded (tests check the backoff), and lets the test
 * act as the cluster in the meantime (the controllers the mock server does not have).
 */
public final class FakeTiming implements Timing {
    public final List<Duration> sleeps = new ArrayList<>();
    private long nanos;
    private Runnable onSleep = () -> { };

    public FakeTiming onSleep(Runnable action) {
        this.onSleep = action;
        return this;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        nanos += duration.toNanos();
        onSleep.run();
    }
}
