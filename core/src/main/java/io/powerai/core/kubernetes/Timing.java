package io.powerai.core.kubernetes;

import io.powerai.core.PowerAiException;

import java.time.Duration;

/**
 * Time as rollouts and Job waits see it: a monotonic clock and a way to wait. Tests pass one whose sleep advances its
 * clock at once (and may play the cluster's controllers meanwhile), so waits and timeouts run in no time.
 */
public interface Timing {
    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;

    /** Sleeps; an interruption ends the stage ("{@code stage}: interrupted while {@code what}"), the flag kept. */
    default void pause(Duration duration, String stage, String what) {
        try {
            sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PowerAiException.StageFailed.bare("interrupted while " + what);
        }
    }

    static Timing system() {
        return new Timing() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration.toMillis());
            }
        };
    }
}
