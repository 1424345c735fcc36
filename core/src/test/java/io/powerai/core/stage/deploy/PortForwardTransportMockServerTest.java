package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.powerai.core.stage.SmokeTransport;
import io.powerai.core.PowerAiException;
import io.powerai.core.kubernetes.MockApiServer;
import io.powerai.core.stage.ScoringServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * aksDeploy's smoke transport through a port-forward, with fabric8's real client speaking the real port-forward
 * protocol over a WebSocket and the JDK's HTTP client sending real requests into it, answered by powerai's real
 * scoring server (python3, a score.py of the test). The API server is fabric8's mock in CRUD mode (no real API
 * server can run here), which stores the pods; {@link io.powerai.core.kubernetes.PodWebSockets} plays the kubelet,
 * bridging the forwarded port to the scoring server's socket.
 */
class PortForwardTransportMockServerTest {
    private static final String NS = "scoring";
    private static final String KEY = "primary-key-0123456789";
    private static final Map<String, String> BLUE = Map.of("app.kubernetes.io/name", "moons", "powerai.io/color", "blue");

    @TempDir
    Path tmp;
    private MockApiServer api;
    private ScoringServerProcess server;
    private PortForwardTransport transport;

    @BeforeEach
    void setUp() {
        api = new MockApiServer();
        transport = new PortForwardTransport(api.newClient(), "aksDeploy");
    }

    @AfterEach
    void tearDown() {
        api.close();
        if (server != null) {
            server.close();
        }
    }

    /** The pod's scoring server, for the tests that reach one; those that fail before any byte is forwarded need none. */
    private InetSocketAddress startScoringServer() throws Exception {
        assumeTrue(ScoringServerProcess.python3Available(), "needs python3 (3.8 or later) for the scoring server");
        Files.writeString(tmp.resolve("score.py"), "def init():\n    pass\n\ndef run(raw_data):\n    return {'echo': raw_data}\n");
        server = ScoringServerProcess.start(tmp, Map.of("AZUREML_ENTRY_SCRIPT", tmp.resolve("score.py").toString(),
                "POWERAI_PRIMARY_KEY", KEY, "WORKER_COUNT", "1"), true);
        URI uri = URI.create(server.baseUrl());
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    private void pod(String name, Map<String, String> labels, boolean ready) {
        api.client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName(AksManifests.CONTAINER).withImage("x").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus()
                .build()).create();
    }

    @Test
    void send_scoreWithTheKeyAndAProbe_answeredByTheReadyPodsServerThroughTheForward() throws Exception {
        pod("moons-blue-0", BLUE, false); // first by name, but not Ready: skipped
        pod("moons-blue-1", BLUE, true);
        api.pods.forward("moons-blue-1", startScoringServer());

        SmokeTransport.Answer scored = transport.send(NS, BLUE, new SmokeTransport.Request("POST", "/score", "{\"data\": [[1.5, -0.25]]}",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + KEY), Duration.ofSeconds(10)));
        SmokeTransport.Answer anonymous = transport.send(NS, BLUE, new SmokeTransport.Request("POST", "/score", "{\"data\": []}",
                Map.of("Content-Type", "application/json"), Duration.ofSeconds(10)));
        SmokeTransport.Answer health = transport.send(NS, BLUE, new SmokeTransport.Request("GET", "/health", null, Map.of(), Duration.ofSeconds(10)));

        assertThat(scored.status()).isEqualTo(200);
        assertThat(scored.body()).contains("\"echo\"").contains("1.5").contains("-0.25");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(health.status()).isEqualTo(200);
        assertThat(api.pods.forwarded).containsOnly("moons-blue-1");
    }

    /** Both ways far more than one WebSocket frame (the kubelet's side sends 8 KiB at most): the stream is whole and in order. */
    @Test
    void send_bodyOfManyFrames_arrivesWholeBothWays() throws Exception {
        pod("moons-blue-1", BLUE, true);
        api.pods.forward("moons-blue-1", startScoringServer());
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            rows.append(i == 0 ? "" : ", ").append('[').append(i).append(", ").append(-i).append(']');
        }
        String body = "{\"data\": [" + rows + "]}";

        SmokeTransport.Answer scored = transport.send(NS, BLUE, new SmokeTransport.Request("POST", "/score", body,
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + KEY), Duration.ofSeconds(10)));

        assertThat(body.length()).isGreaterThan(300_000);
        assertThat(scored.status()).isEqualTo(200);
        assertThat(scored.body()).isEqualTo("{\"echo\": \"" + body.replace("\"", "\\\"") + "\"}");
    }

    @Test
    void send_noReadyPod_oneLineNamingTheSelector() {
        pod("moons-blue-0", BLUE, false);

        assertThatThrownBy(() -> transport.send(NS, BLUE, new SmokeTransport.Request("GET", "/health", null, Map.of(), Duration.ofSeconds(5))))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy"))
                        .startsWith("aksDeploy: smoke test: no ready pod matches ").contains("in namespace " + NS));
        assertThat(api.pods.forwarded).isEmpty();
    }

    @Test
    void send_portForwardForbidden_oneLineNamingThePodAndTheStatus() {
        pod("moons-blue-1", BLUE, true);
        api.pods.refuse("moons-blue-1", 403);

        assertThatThrownBy(() -> transport.send(NS, BLUE, new SmokeTransport.Request("GET", "/health", null, Map.of(), Duration.ofSeconds(5))))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy")).isEqualTo("aksDeploy: smoke test: GET /health "
                        + "through a port-forward to pod " + NS + "/moons-blue-1 failed: "
                        + "the Kubernetes API forbids the kubeconfig's user to create pods/portforward in namespace " + NS
                        + " (HTTP 403); grant it the role (e.g. edit in the namespace)"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void send_errorOnTheErrorChannel_failsNamingThePod() {
        pod("moons-blue-1", BLUE, true);
        api.pods.forwardFails("moons-blue-1", "an error occurred forwarding 5001 -> 5001: connection refused");

        assertThatThrownBy(() -> transport.send(NS, BLUE, new SmokeTransport.Request("GET", "/health", null, Map.of(), Duration.ofSeconds(5))))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy"))
                        .startsWith("aksDeploy: smoke test: GET /health through a port-forward to pod " + NS + "/moons-blue-1 failed: "))
                .hasMessageContaining("connection refused");
    }
}
