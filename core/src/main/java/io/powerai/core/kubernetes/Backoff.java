package io.powerai.core.kubernetes;

import java.time.Duration;

/**
 * Bounded exponential backoff for API calls that may succeed when repeated: conflicts (409), throttling (429),
 * server errors (5xx) and lost connections. {@code attempts} counts the first call.
 */
public record Backoff(int attempts, Duration initial, Duration max) {
    public static final Backoff DEFAULT = new Backoff(5, Duration.ofMillis(250), Duration.ofSeconds(4));

    public Backoff {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }

    /** The wait before attempt {@code n + 1} after attempt {@code n} (1-based) failed: initial, 2x, 4x... capped. */
    public Duration delayAfter(int n) {
        long millis = initial.toMillis() << Math.min(n - 1, 20);
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
