package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's mock Kubernetes API server, in CRUD mode with expectations first ("mixed"): no real API server can
 * run on our machines (none is packaged for Debian; test tools that download one cannot reach the internet).
 * The mock stores objects but runs no controllers and no pods, so tests play the controllers and the kubelet
 * themselves (setting status; {@link PodWebSockets} answers port-forward and exec), and expectations inject what a
 * real server answers (409, 5xx, 403, 422, logs).
 */
public final class MockApiServer implements AutoCloseable {
    public final KubernetesMockServer server;
    /** The kubelet's side of port-forward and exec, set up by the tests that need it. */
    public final PodWebSockets pods;
    /** A client for the test itself, to set the scene and look at the store. */
    public final NamespacedKubernetesClient client;

    public MockApiServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        pods = new PodWebSockets(responses);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, pods, false);
        server.init();
        client = newClient();
    }

    /** A client as KubeConnection builds them: the client's own retries off, no class-path scan. */
    public NamespacedKubernetesClient newClient() {
        return server.createClient(b -> b.withKubernetesSerialization(KubeYaml.SERIALIZATION)
                .editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
    }

    /** What the code under test opens (closing it closes only its own client). */
    public KubeConnection connection() {
        return KubeConnection.of(newClient());
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
