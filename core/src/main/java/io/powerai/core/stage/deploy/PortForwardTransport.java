package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.powerai.core.PowerAiException;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.stage.LoopbackTransport;
import io.powerai.core.stage.SmokeTransport.Answer;
import io.powerai.core.stage.SmokeTransport.Request;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * Reaches a pod's scoring server through the API server's port-forward (as {@code kubectl port-forward} does):
 * works from any agent that can reach the API, whatever the Service type, and needs the {@code pods/portforward}
 * permission. A LoadBalancer's external IP would only reach the color that is live already.
 */
public final class PortForwardTransport implements PodTransport {
    private final KubernetesClient client;
    private final String stage;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public PortForwardTransport(KubernetesClient client, String stage) {
        this.client = client;
        this.stage = stage;
    }

    @Override
    public Answer send(String namespace, Map<String, String> podSelector, Request request) {
        Pod pod = client.pods().inNamespace(namespace).withLabels(podSelector).list().getItems().stream()
                .filter(PortForwardTransport::ready)
                .min(Comparator.comparing(p -> p.getMetadata().getName()))
                .orElseThrow(() -> PowerAiException.StageFailed.bare("smoke test: no ready pod matches "
                        + podSelector + " in namespace " + namespace));
        String podName = pod.getMetadata().getName();
        String failed = "smoke test: " + request.method() + " " + request.path() + " through a port-forward to pod "
                + namespace + "/" + podName + " failed: ";
        try (LocalPortForward forward = client.pods().inNamespace(namespace).withName(podName)
                .portForward(AksManifests.SERVER_PORT)) {
            try {
                return LoopbackTransport.exchange(http, "http://127.0.0.1:" + forward.getLocalPort(), request);
            } catch (IOException e) {
                // The local socket only sees the forward close; why it closed (the API refused the upgrade, the pod's
                // port refused the connection) is what the API server said, kept by the forward.
                Throwable cause = forward.getServerThrowables().stream().findFirst().orElse(e);
                throw PowerAiException.StageFailed.bare(failed + KubeCalls.podSubresourceFailure(cause, "portforward", namespace), e);
            }
        } catch (IOException | KubernetesClientException e) {
            throw PowerAiException.StageFailed.bare(failed + KubeCalls.podSubresourceFailure(e, "portforward", namespace), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PowerAiException.StageFailed.bare("smoke test interrupted");
        }
    }

    private static boolean ready(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null || pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return true;
            }
        }
        return false;
    }
}
