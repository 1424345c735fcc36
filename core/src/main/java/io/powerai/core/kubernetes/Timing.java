package io.powerai.core.kubernetes;

import java.time.Duration;

/**
 * Time as the rollout sees it: a monotonic clock and a way to wait. Tests pass one whose sleep advances its
 * clock at once (and may play the cluster's controllers meanwhile), so waits and timeouts run in no time.
 */
public interface Timing {
    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;

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
