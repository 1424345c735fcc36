package io.powerai.core.stage;

import java.time.Duration;
import java.util.Map;

/**
 * How the smoke test reaches the scoring server it checks: over loopback HTTP for a local container
 * ({@link LoopbackTransport}), through a port-forward to a pod of the version being rolled out on Kubernetes (the new
 * color is not behind the Service yet). Tests supply answers of their own.
 */
@FunctionalInterface
public interface SmokeTransport {

    /** One HTTP request to the scoring server. */
    record Request(String method, String path, String body, Map<String, String> headers, Duration timeout) {
    }

    /** Its answer. */
    record Answer(int status, String body) {
    }

    /** Sends {@code request}; throws {@link io.powerai.core.PowerAiException.StageFailed} when the server cannot be reached. */
    Answer send(Request request);
}
