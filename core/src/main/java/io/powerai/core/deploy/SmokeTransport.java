package io.powerai.core.deploy;

import java.time.Duration;
import java.util.Map;

/**
 * How the smoke test reaches the scoring server of the version being rolled out. Against a real cluster that is
 * {@link PortForwardTransport} (the new color is not behind the Service yet, so only a port-forward to one of
 * its pods reaches it); most tests supply answers of their own, the others run that one over the mock API server.
 */
@FunctionalInterface
public interface SmokeTransport {

    /** One HTTP request to the scoring server. */
    record Request(String method, String path, String body, Map<String, String> headers, Duration timeout) {
    }

    /** Its answer. */
    record Answer(int status, String body) {
    }

    /**
     * Sends {@code request} to a ready pod that {@code podSelector} selects in {@code namespace}. Throws
     * {@link io.powerai.core.PowerAiException.StageFailed} when no pod can be reached.
     */
    Answer send(String namespace, Map<String, String> podSelector, Request request);
}
