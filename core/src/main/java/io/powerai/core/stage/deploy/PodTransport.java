package io.powerai.core.stage.deploy;

import io.powerai.core.stage.SmokeTransport;

import java.util.Map;

/**
 * How the smoke test reaches a pod of the version being rolled out: against a real cluster {@link PortForwardTransport}
 * (the new color is not behind the Service yet, so only a port-forward to one of its pods reaches it); most tests
 * supply answers of their own, the others run that one over the mock API server.
 */
@FunctionalInterface
public interface PodTransport {

    /**
     * Sends {@code request} to a ready pod that {@code podSelector} selects in {@code namespace}. Throws
     * {@link io.powerai.core.PowerAiException.StageFailed} when no pod can be reached.
     */
    SmokeTransport.Answer send(String namespace, Map<String, String> podSelector, SmokeTransport.Request request);

    /** This transport bound to the pods of one version, as the smoke test sends through it. */
    default SmokeTransport to(String namespace, Map<String, String> podSelector) {
        return request -> send(namespace, podSelector, request);
    }
}
