package io.powerai.core.stage.deploy;

import io.powerai.core.spec.PromotionGate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.powerai.core.stage.SmokeTransport;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.Event;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.FakeTiming;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.ScoringServerProcess;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Rollouts against fabric8's mock API server in CRUD mode (no real Kubernetes API server can run here; see
 * {@link MockCluster}): the test plays the Deployment controller by setting status, and injects conflicts,
 * server errors and refusals through the mock's expectations.
 */
class AksDeploymentMockServerTest {
    static final String NS = "default";
    static final String IMAGE_A = "myacr.azurecr.io/svm-moons-score@sha256:" + "aa".repeat(32);
    static final String IMAGE_B = "myacr.azurecr.io/svm-moons-score@sha256:" + "bb".repeat(32);
    static final String IMAGE_C = "myacr.azurecr.io/svm-moons-score@sha256:" + "cc".repeat(32);
    static final String MODEL = "5e".repeat(32);
    static final String SNAPSHOT = "myacr.azurecr.io/svm-moons-env:" + "d1".repeat(32) + "@sha256:" + "d2".repeat(32);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T18:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path project;

    MockCluster cluster;
    FakeTiming timing;
    ScriptedTransport transport;
    /** When set, the smoke test goes here instead of {@link #transport}. */
    PodTransport smoke;
    final List<Event> events = new ArrayList<>();
    int connects;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new MockCluster();
        timing = new FakeTiming().onSleep(() -> cluster.rollOut(NS));
        transport = ScriptedTransport.answering("[1]");
        Files.writeString(project.resolve("sample.json"), "{\"data\": [[0.5, 0.2]]}");
        Files.writeString(project.resolve("answer.json"), "[1]");
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private StageContext ctx(Map<String, Object> deployKeys) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("target", "aks");
        params.put("sample_request", "sample.json");
        params.put("expected_response", "answer.json");
        params.putAll(deployKeys);
        PipelineSpec spec = PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline();
        return new StageContext(spec, new Workspace(project, CLOCK), null, null, events::add, CLOCK);
    }

    private AksDeployment aks(Map<String, Object> deployKeys, Map<String, String> env) {
        // What the CLI reads from these variables (EnvironmentVariables), as the typed value the core takes.
        String user = env.get("POWERAI_REGISTRY_USERNAME");
        io.powerai.core.stage.RunEnvironment environment = new io.powerai.core.stage.RunEnvironment(io.powerai.core.build.BuildInfo.NONE,
                user == null ? null : new io.powerai.core.registry.Credentials(user, env.get("POWERAI_REGISTRY_PASSWORD")), null);
        return new AksDeployment(ctx(deployKeys), environment, (settings, ev) -> {
            connects++;
            return cluster.connection();
        }, client -> smoke != null ? smoke : transport, new AksDeployment.Tuning(timing, Backoff.DEFAULT, Duration.ofSeconds(2)));
    }

    private AksDeployment aks(Map<String, Object> deployKeys) {
        return aks(deployKeys, Map.of());
    }

    private void scoringResult(String image) {
        scoringResult(image, null);
    }

    /** With the serving settings' worker count as scoringImage records it ({@code workers} null: no serving block). */
    private void scoringResult(String image, Object workers) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (workers != null) {
            result.put("serving", Map.of("workers", workers, "scoringTimeoutMs", 60000, "maxRequestBytes", 10485760,
                    "server", "auto", "preload", true));
        }
        result.put("schemaVersion", 1);
        result.put("stage", "scoringImage");
        result.put("status", "succeeded");
        result.put("image", image);
        result.put("model", "model.pkl");
        result.put("modelSha256", MODEL);
        result.put("snapshotImage", SNAPSHOT);
        new Workspace(project, CLOCK).writeResult(Stage.SCORING_IMAGE, result);
    }

    /** The training that wrote the scoring image's model, with its final test_accuracy. */
    private void trained(double testAccuracy) {
        new Workspace(project, CLOCK).writeResult(Stage.TRAIN, Map.of("schemaVersion", 1, "stage", "gpuTrain", "status", "succeeded",
                "outputs", Map.of("model.pkl", MODEL), "metrics", Map.of("test_accuracy", testAccuracy, "train_accuracy", 0.99)));
    }

    private static final Map<String, Object> GATE = Map.of("gate", Map.of("metric", "test_accuracy", "min_delta", 0.01));

    // ------------------------------------------------------------------------------------ promotion gate

    @Test
    void gate_firstDeployPasses_worseIsKeptBeforeAnyChange_betterPromotes_eachRecordingItsMetrics() throws Exception {
        trained(0.95);
        Map<String, Object> first = deploy(IMAGE_A, GATE);
        assertThat(first).containsEntry("status", "succeeded");
        assertThat(cluster.deployment(NS, "svm-moons-blue").getMetadata().getAnnotations())
                .containsEntry("powerai.io/metrics", "{\"test_accuracy\":0.95,\"train_accuracy\":0.99}");
        assertThat(events).anyMatch(e -> e.toString().contains("nothing serves yet, the first model (0.95) passes"));

        trained(0.9);
        int recordsBefore = auditRecords().size();
        PowerAiException.StageFailed kept = catchThrowableOfType(() -> deploy(IMAGE_B, GATE), PowerAiException.StageFailed.class);
        assertThat(kept.messageIn("aksDeploy")).isEqualTo("aksDeploy: gate test_accuracy (max, min_delta 0.01): the new model's 0.9 is not better than "
                + "the serving model's 0.95 by at least 0.01; the serving version stays");
        assertThat(cluster.deployment(NS, "svm-moons-green")).isNull(); // nothing was created or changed
        assertThat(image(cluster.deployment(NS, "svm-moons-blue"))).isEqualTo(IMAGE_A);
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "blue");
        assertThat(auditRecords()).hasSize(recordsBefore + 1);
        Map<String, Object> record = auditRecords().get(recordsBefore);
        assertThat(record).containsEntry("status", "kept");
        assertThat(details(record)).containsEntry("candidateImage", IMAGE_B);
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).containsEntry("status", "kept")
                .containsEntry("image", IMAGE_A).containsEntry("candidateImage", IMAGE_B);

        trained(0.96);
        Map<String, Object> better = deploy(IMAGE_B, GATE);
        assertThat(better).containsEntry("status", "succeeded").containsEntry("color", "green");
        assertThat(cluster.deployment(NS, "svm-moons-green").getMetadata().getAnnotations())
                .containsEntry("powerai.io/metrics", "{\"test_accuracy\":0.96,\"train_accuracy\":0.99}");
    }

    @Test
    void gate_servingDeploymentWithoutARecord_stops_unlessWhenUnknownPromote_andTheGateAloneChangesNothing() throws Exception {
        deploy(IMAGE_A, Map.of()); // no training result: deployed as every deployment before the gate, no metrics recorded
        assertThat(cluster.deployment(NS, "svm-moons-blue").getMetadata().getAnnotations()).doesNotContainKey("powerai.io/metrics");
        trained(0.9);
        scoringResult(IMAGE_B);
        int recordsBefore = auditRecords().size();

        PromotionGate.Decision alone = aks(GATE).gate(null);
        assertThat(alone.passes()).isFalse();
        assertThat(alone.line()).contains("the serving deployment has no recorded test_accuracy");
        assertThat(auditRecords()).hasSize(recordsBefore);
        assertThatThrownBy(() -> aks(GATE).deploy(null)).isInstanceOf(PowerAiException.StageFailed.class)
                .hasMessageContaining("set gate.when_unknown: promote");
        assertThat(cluster.deployment(NS, "svm-moons-green")).isNull();

        Map<String, Object> promoted = asMap(aks(Map.of("gate", Map.of("metric", "test_accuracy", "when_unknown", "promote"))).deploy(null));
        assertThat(promoted).containsEntry("status", "succeeded").containsEntry("color", "green");
    }

    @Test
    void gate_metricTheNewModelLacks_isInvalidInput_beforeAnyCall() {
        trained(0.9);
        scoringResult(IMAGE_A);

        assertThatThrownBy(() -> aks(Map.of("gate", Map.of("metric", "f1_score"))).deploy(null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("aksDeploy: 'gate.metric' f1_score is not among the new model's metrics (test_accuracy, train_accuracy): "
                        + "name one the training reports");
        assertThat(connects).isZero();
    }

    private Map<String, Object> deploy(String image, Map<String, Object> keys) {
        scoringResult(image);
        return asMap(aks(keys).deploy(null));
    }

    /** The result as the map its file holds: the assertions read what aksDeploy.json says. */
    static Map<String, Object> asMap(DeploymentResult result) {
        return StageResults.toMap(result);
    }

    private Service service() {
        return cluster.client.services().inNamespace(NS).withName("svm-moons").get();
    }

    private HorizontalPodAutoscaler hpa() {
        return cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("svm-moons").get();
    }

    private static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private List<Map<String, Object>> auditRecords() throws Exception {
        return auditRecords(project);
    }

    /** The records of the project's audit log, parsed, in order. */
    static List<Map<String, Object>> auditRecords(Path project) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(project.resolve(".powerai/audit.jsonl"))) {
            out.add(Json.parseObject(line));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> details(Map<String, Object> record) {
        return (Map<String, Object>) record.get("details");
    }

    // ------------------------------------------------------------------------------------ create and update

    @Test
    void deploy_withServiceMonitor_createsItAsAGenericResource_andThePodsCarryTheMetricsPort() {
        deploy(IMAGE_A, Map.of("service_monitor", true, "metrics_port", 9102));

        var monitors = cluster.client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                .withGroup("monitoring.coreos.com").withVersion("v1").withKind("ServiceMonitor").withPlural("servicemonitors")
                .withNamespaced(true).build());
        var monitor = monitors.inNamespace(NS).withName("svm-moons").get();
        assertThat(monitor).as("ServiceMonitor svm-moons").isNotNull();
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(String.valueOf(monitor.getAdditionalProperties().get("spec"))).contains("targetPort=metrics").contains("path=/metrics");
        var container = cluster.deployment(NS, "svm-moons-blue").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getContainerPort()).isEqualTo(9102);
        });
        assertThat(service().getSpec().getPorts()).extracting(io.fabric8.kubernetes.api.model.ServicePort::getName).containsExactly("http");

        // Deployed again without it: the first one stays (powerai does not delete what may be watched), and nothing fails.
        scoringResult(IMAGE_B);
        assertThat(asMap(aks(Map.of()).deploy(null))).containsEntry("status", "succeeded");
    }

    @Test
    void deploy_withoutServiceMonitor_createsNone() {
        deploy(IMAGE_A, Map.of());
        var monitors = cluster.client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                .withGroup("monitoring.coreos.com").withVersion("v1").withKind("ServiceMonitor").withPlural("servicemonitors")
                .withNamespaced(true).build());
        assertThat(monitors.inNamespace(NS).withName("svm-moons").get()).isNull();
    }

    @Test
    void firstDeploy_createsBlue_switchesTheService_andRecordsWhatServes() throws Exception {
        Map<String, Object> result = deploy(IMAGE_A, Map.of());

        Deployment blue = cluster.deployment(NS, "svm-moons-blue");
        assertThat(image(blue)).isEqualTo(IMAGE_A);
        assertThat(blue.getSpec().getReplicas()).isEqualTo(1);
        assertThat(blue.getMetadata().getAnnotations()).containsEntry("powerai.io/model-sha256", MODEL)
                .containsEntry("powerai.io/snapshot-image", SNAPSHOT);
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "blue");
        assertThat(hpa().getSpec().getScaleTargetRef().getName()).isEqualTo("svm-moons-blue");
        assertThat(cluster.client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("svm-moons").get()).isNotNull();
        assertThat(cluster.deployment(NS, "svm-moons-green")).isNull();

        assertThat(result).containsEntry("status", "succeeded").containsEntry("color", "blue").containsEntry("image", IMAGE_A)
                .containsEntry("scoringUrl", "http://svm-moons.default.svc.cluster.local/score")
                .containsEntry("smokeTestAnswer", "[1]").doesNotContainKey("previousImage");
        assertThat(timing.sleeps).containsExactly(Duration.ofSeconds(2)); // one poll: the "controller" then rolled it out
        Map<String, Object> record = auditRecords().get(0);
        assertThat(record).containsEntry("stage", "aksDeploy").containsEntry("status", "succeeded");
        assertThat(details(record)).containsEntry("action", "deploy").containsEntry("namespace", NS)
                .containsEntry("modelSha256", MODEL).containsEntry("smokeTest", "passed");
        assertThat(details(record).get("serving")).isEqualTo(List.of(Map.of("color", "blue", "deployment", "svm-moons-blue",
                "image", IMAGE_A, "modelSha256", MODEL, "snapshotImage", SNAPSHOT, "trafficPercent", 100)));
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).containsEntry("status", "succeeded");
    }

    @Test
    void authEnabled_generatesKeysOnce_usesThemInTheSmokeTest_neverPrintsOrRecordsThem() throws Exception {
        deploy(IMAGE_A, Map.of());
        Secret keys = cluster.client.secrets().inNamespace(NS).withName("svm-moons-keys").get();
        String primary = new String(Base64.getDecoder().decode(keys.getData().get("primaryKey")), StandardCharsets.UTF_8);
        assertThat(primary).hasSizeGreaterThanOrEqualTo(40);
        assertThat(transport.sent.get(1).request().headers()).containsEntry("Authorization", "Bearer " + primary);

        deploy(IMAGE_B, Map.of());
        Secret after = cluster.client.secrets().inNamespace(NS).withName("svm-moons-keys").get();
        assertThat(after.getData()).isEqualTo(keys.getData()); // keys outlive versions

        String everything = Files.readString(project.resolve(".powerai/audit.jsonl"))
                + Files.readString(project.resolve(".powerai/aksDeploy.json")) + events;
        assertThat(everything).doesNotContain(primary).doesNotContain(keys.getData().get("primaryKey"));
        assertThat(details(auditRecords().get(1))).containsEntry("keysSecret", "svm-moons-keys");
    }

    @Test
    void authEnabled_promoteAndRollback_sendTheEndpointKey_theRealScoringServerAcceptsTheirSmokeTests() throws Exception {
        assumeTrue(ScoringServerProcess.python3Available(), "needs python3 on the PATH to run the scoring server");
        try (ScoringServerPods pods = new ScoringServerPods(cluster.client, project.resolve("pods"))) {
            smoke = pods;
            deploy(IMAGE_A, Map.of("num_replicas", 4));
            deploy(IMAGE_B, Map.of("num_replicas", 4, "traffic_percent", 25));

            assertThat(asMap(aks(Map.of("num_replicas", 4)).promote())).containsEntry("status", "succeeded").containsEntry("color", "green");
            assertThat(asMap(aks(Map.of("num_replicas", 4)).rollback())).containsEntry("status", "succeeded").containsEntry("color", "blue");
            Secret keys = cluster.client.secrets().inNamespace(NS).withName("svm-moons-keys").get();
            String primary = new String(Base64.getDecoder().decode(keys.getData().get("primaryKey")), StandardCharsets.UTF_8);
            assertThat(pods.sent).filteredOn(sent -> sent.request().path().equals("/score"))
                    .allSatisfy(sent -> assertThat(sent.request().headers()).containsEntry("Authorization", "Bearer " + primary))
                    .hasSize(4); // two deploys, the promote, and the rollback that brings blue back
        }
    }

    @Test
    void authEnabled_theRealScoringServerWithTheSecretsKeys_passesTheSmokeTest_refusesClientsWithoutAKey() throws Exception {
        assumeTrue(ScoringServerProcess.python3Available(), "needs python3 on the PATH to run the scoring server");
        try (ScoringServerPods pods = new ScoringServerPods(cluster.client, project.resolve("pods"))) {
            smoke = pods;

            Map<String, Object> result = deploy(IMAGE_A, Map.of());

            assertThat(result).containsEntry("status", "succeeded").containsEntry("smokeTestAnswer", "[1]");
            Secret keys = cluster.client.secrets().inNamespace(NS).withName("svm-moons-keys").get();
            String secondary = new String(Base64.getDecoder().decode(keys.getData().get("secondaryKey")), StandardCharsets.UTF_8);
            Map<String, String> blue = Map.of("app.kubernetes.io/name", "svm-moons", "powerai.io/color", "blue");
            String sample = Files.readString(project.resolve("sample.json"));
            SmokeTransport.Answer anonymous = pods.send(NS, blue, new SmokeTransport.Request("POST", "/score", sample, Map.of(), Duration.ofSeconds(10)));
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.body()).contains("needs a key");
            assertThat(pods.send(NS, blue, new SmokeTransport.Request("POST", "/score", sample,
                    Map.of("Authorization", "Bearer " + secondary), Duration.ofSeconds(10))).status()).isEqualTo(200);
            // The manifests' probes carry no key: their paths stay open.
            for (String probe : List.of(AksManifests.LIVENESS_PATH, AksManifests.READINESS_PATH)) {
                assertThat(pods.send(NS, blue, new SmokeTransport.Request("GET", probe, null, Map.of(), Duration.ofSeconds(10))).status())
                        .as(probe).isEqualTo(200);
            }
        }
    }

    /**
     * The whole rollout with the production smoke transport: the smoke test after the rollout goes through fabric8's
     * real port-forward (WebSocket, {@link io.powerai.core.kubernetes.PodWebSockets} as the kubelet) to the real
     * scoring server of the new color's pod, with the key read from the Secret.
     */
    @Test
    void deploy_smokeTestThroughARealPortForward_reachesTheNewColorsPod() throws Exception {
        assumeTrue(ScoringServerProcess.python3Available(), "needs python3 (3.8 or later) for the scoring server");
        try (ScoringServerPods servers = new ScoringServerPods(cluster.client, project.resolve("pods"))) {
            timing = new FakeTiming().onSleep(() -> {
                cluster.rollOut(NS);
                cluster.runPods(NS, servers);
            });
            smoke = new PortForwardTransport(cluster.client, "aksDeploy");

            Map<String, Object> result = deploy(IMAGE_A, Map.of());

            assertThat(result).containsEntry("status", "succeeded").containsEntry("smokeTestAnswer", "[1]");
            assertThat(cluster.forwardedPods()).isNotEmpty().allSatisfy(pod -> assertThat(pod).isEqualTo("svm-moons-blue-0"));
        }
    }

    @Test
    void authDisabled_theRealScoringServerHasNoKeys_theSmokeTestSendsNone() throws Exception {
        assumeTrue(ScoringServerProcess.python3Available(), "needs python3 on the PATH to run the scoring server");
        try (ScoringServerPods pods = new ScoringServerPods(cluster.client, project.resolve("pods"))) {
            smoke = pods;

            Map<String, Object> result = deploy(IMAGE_A, Map.of("auth_enabled", false));

            assertThat(result).containsEntry("status", "succeeded").containsEntry("smokeTestAnswer", "[1]");
            assertThat(cluster.client.secrets().inNamespace(NS).withName("svm-moons-keys").get()).isNull();
            assertThat(pods.sent).isNotEmpty().allSatisfy(s -> assertThat(s.request().headers()).doesNotContainKey("Authorization"));
        }
    }

    @Test
    void registryCredentials_becomeAPullSecret_neverLogged() throws Exception {
        scoringResult(IMAGE_A);
        aks(Map.of(), Map.of("POWERAI_REGISTRY_USERNAME", "ci-user", "POWERAI_REGISTRY_PASSWORD", "pa55-w0rd")).deploy(null);

        Secret pull = cluster.client.secrets().inNamespace(NS).withName("svm-moons-registry").get();
        assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(new String(Base64.getDecoder().decode(pull.getData().get(".dockerconfigjson")), StandardCharsets.UTF_8))
                .contains("myacr.azurecr.io").contains("pa55-w0rd");
        assertThat(cluster.deployment(NS, "svm-moons-blue").getSpec().getTemplate().getSpec().getImagePullSecrets())
                .extracting("name").containsExactly("svm-moons-registry");
        assertThat(Files.readString(project.resolve(".powerai/audit.jsonl")) + events).doesNotContain("pa55-w0rd");
        assertThat(details(auditRecords().get(0))).containsEntry("pullSecret", "svm-moons-registry");
    }

    @Test
    void secondDeploy_goesToGreen_thenThirdUpdatesBlue_eachKeepingWhatItReplaced() throws Exception {
        deploy(IMAGE_A, Map.of());
        Map<String, Object> second = deploy(IMAGE_B, Map.of());

        assertThat(second).containsEntry("color", "green").containsEntry("previousImage", IMAGE_A);
        assertThat(image(cluster.deployment(NS, "svm-moons-green"))).isEqualTo(IMAGE_B);
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "green");
        assertThat(service().getMetadata().getAnnotations()).containsEntry("powerai.io/live-color", "green");
        assertThat(hpa().getSpec().getScaleTargetRef().getName()).isEqualTo("svm-moons-green");
        assertThat(cluster.deployment(NS, "svm-moons-blue").getSpec().getReplicas()).isZero(); // kept, for rollback

        Map<String, Object> third = deploy(IMAGE_C, Map.of());
        Deployment blue = cluster.deployment(NS, "svm-moons-blue");
        assertThat(third).containsEntry("color", "blue").containsEntry("previousImage", IMAGE_B);
        assertThat(image(blue)).isEqualTo(IMAGE_C);
        assertThat(blue.getSpec().getReplicas()).isEqualTo(1);
        assertThat(blue.getMetadata().getAnnotations()).containsEntry("powerai.io/previous-image", IMAGE_A);
        assertThat(blue.getMetadata().getGeneration()).isGreaterThan(1L); // an update, not a new object
        assertThat(cluster.deployment(NS, "svm-moons-green").getSpec().getReplicas()).isZero();
    }

    @Test
    void fixedReplicas_noAutoscaler_andAnExistingOneIsRemoved() {
        deploy(IMAGE_A, Map.of());
        assertThat(hpa()).isNotNull();
        deploy(IMAGE_B, Map.of("num_replicas", 3));
        assertThat(hpa()).isNull();
        assertThat(cluster.deployment(NS, "svm-moons-green").getSpec().getReplicas()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------ failures and rollback

    @Test
    void crashLoopingPods_failFast_andRollBackToTheServingVersion() throws Exception {
        deploy(IMAGE_A, Map.of());
        Deployment blueBefore = cluster.deployment(NS, "svm-moons-blue");
        timing.sleeps.clear();
        timing.onSleep(() -> cluster.crashLoop(NS, Map.of("app.kubernetes.io/name", "svm-moons", "powerai.io/color", "green"),
                "svm-moons-green-7d9-x1"));
        scoringResult(IMAGE_B);

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> aks(Map.of()).deploy(null));

        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.getMessage()).contains("rollout of svm-moons-green failed: pod svm-moons-green-7d9-x1 container score is in "
                + "CrashLoopBackOff after 4 restart(s)").contains("rolled back: svm-moons-blue serves " + IMAGE_A + " again");
        assertThat(timing.sleeps).hasSize(1); // failed at the first look after the crash, not at the timeout
        assertThat(cluster.deployment(NS, "svm-moons-green")).isNull(); // did not exist before: removed
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "blue");
        assertThat(cluster.deployment(NS, "svm-moons-blue").getSpec()).isEqualTo(blueBefore.getSpec());
        Map<String, Object> record = auditRecords().get(1);
        assertThat(record).containsEntry("status", "rolled-back");
        assertThat(details(record)).containsEntry("rolledBackTo", IMAGE_A);
        // The record and the message keep the stage that failed (a bare rollout failure gets it before it is written).
        assertThat(e.getMessage()).startsWith("aksDeploy: rollout of svm-moons-green failed: ");
        assertThat((String) details(record).get("failure")).startsWith("aksDeploy: rollout of svm-moons-green failed: ").contains("CrashLoopBackOff");
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).containsEntry("status", "rolled-back")
                .containsEntry("rolledBackTo", IMAGE_A)
                .hasEntrySatisfying("failure", failure -> assertThat((String) failure).startsWith("aksDeploy: rollout of svm-moons-green"));
        assertThat(project.resolve(".powerai/deploy/failed-pods.log")).exists();
    }

    @Test
    void smokeTest_comparesFloatsWithTheParityTolerance_likeTheParityGate() throws Exception {
        Files.writeString(project.resolve("answer.json"), "{\"probabilities\": [0.25, 0.75]}");
        transport = ScriptedTransport.answering("{\"probabilities\": [0.2500000001, 0.7499999999]}");

        deploy(IMAGE_A, Map.of()); // within the default 1e-6: passes

        transport = ScriptedTransport.answering("{\"probabilities\": [0.26, 0.74]}");
        assertThatThrownBy(() -> deploy(IMAGE_B, Map.of()))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .hasMessageContaining("differs from answer.json (tolerance 1.0E-6): $.probabilities[0]: expected 0.25, got 0.26");
    }

    @Test
    void failedUpdateOfAnExistingColor_reappliesItsPreviousSpec() {
        deploy(IMAGE_A, Map.of());
        deploy(IMAGE_B, Map.of());              // green serves B, blue holds A at 0 replicas
        Deployment blueBefore = cluster.deployment(NS, "svm-moons-blue");
        transport = ScriptedTransport.answering("[0]"); // C answers the sample wrong

        assertThatThrownBy(() -> deploy(IMAGE_C, Map.of()))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .hasMessageContaining("smoke test: the answer of svm-moons-blue to sample.json differs from answer.json (tolerance 1.0E-6):"
                        + " $[0]: expected 1, got 0 (whole numbers must be equal)");

        Deployment blue = cluster.deployment(NS, "svm-moons-blue");
        assertThat(image(blue)).isEqualTo(IMAGE_A);
        assertThat(blue.getSpec().getReplicas()).isZero();
        assertThat(blue.getMetadata().getAnnotations()).isEqualTo(blueBefore.getMetadata().getAnnotations());
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "green");
        assertThat(image(cluster.deployment(NS, "svm-moons-green"))).isEqualTo(IMAGE_B);
    }

    @Test
    void rolloutThatNeverFinishes_failsAtTheTimeout_andRollsBack() {
        deploy(IMAGE_A, Map.of());
        timing.sleeps.clear();
        timing.onSleep(() -> { }); // the controller never gets to it

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class,
                () -> deploy(IMAGE_B, Map.of("ready_timeout", "60s")));

        assertThat(e.getMessage()).contains("rollout of svm-moons-green did not finish within 60 s (the controller has not seen the new spec yet)")
                .contains("rolled back");
        assertThat(timing.sleeps).hasSize(30);
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "blue");
        assertThat(cluster.deployment(NS, "svm-moons-green")).isNull();
    }

    @Test
    void firstDeployThatFails_removesWhatItCreated_statusFailed() throws Exception {
        transport = new ScriptedTransport(r -> new SmokeTransport.Answer(503, "init() failed"));

        assertThatThrownBy(() -> deploy(IMAGE_A, Map.of()))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .hasMessageContaining("smoke test: GET / on svm-moons-blue answered HTTP 503: init() failed")
                .hasMessageContaining("nothing served before");

        assertThat(cluster.deployment(NS, "svm-moons-blue")).isNull();
        assertThat(service()).isNull();
        assertThat(hpa()).isNull();
        assertThat(auditRecords().get(0)).containsEntry("status", "failed");
    }

    // ------------------------------------------------------------------------------------ traffic control

    @Test
    void trafficSplit_byReplicaRatio_thenPromote_thenRollback() throws Exception {
        deploy(IMAGE_A, Map.of("num_replicas", 4));
        Map<String, Object> split = deploy(IMAGE_B, Map.of("num_replicas", 4, "traffic_percent", 25));

        assertThat(split).containsEntry("trafficPercent", 25).containsEntry("color", "green");
        assertThat(service().getSpec().getSelector()).isEqualTo(Map.of("app.kubernetes.io/name", "svm-moons"));
        assertThat(service().getMetadata().getAnnotations()).containsEntry("powerai.io/candidate-color", "green")
                .containsEntry("powerai.io/candidate-traffic-percent", "25").containsEntry("powerai.io/live-color", "blue");
        assertThat(cluster.deployment(NS, "svm-moons-blue").getSpec().getReplicas()).isEqualTo(3);
        assertThat(cluster.deployment(NS, "svm-moons-green").getSpec().getReplicas()).isEqualTo(1);
        assertThat((List<?>) split.get("serving")).extracting("trafficPercent").containsExactly(75, 25);

        assertThatThrownBy(() -> deploy(IMAGE_C, Map.of("num_replicas", 4)))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy")).isEqualTo("aksDeploy: default/svm-moons "
                        + "is splitting traffic (blue 75%, green 25%): run 'powerai deploy promote' or 'powerai deploy rollback' first"));

        Map<String, Object> promoted = asMap(aks(Map.of("num_replicas", 4)).promote());
        assertThat(promoted).containsEntry("status", "succeeded").containsEntry("color", "green").containsEntry("image", IMAGE_B);
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "green");
        assertThat(service().getMetadata().getAnnotations()).doesNotContainKey("powerai.io/candidate-color");
        assertThat(cluster.deployment(NS, "svm-moons-green").getSpec().getReplicas()).isEqualTo(4);
        assertThat(cluster.deployment(NS, "svm-moons-blue").getSpec().getReplicas()).isZero();

        Map<String, Object> back = asMap(aks(Map.of("num_replicas", 4)).rollback());
        assertThat(back).containsEntry("color", "blue").containsEntry("image", IMAGE_A).containsEntry("previousImage", IMAGE_B);
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "blue");
        assertThat(cluster.deployment(NS, "svm-moons-blue").getSpec().getReplicas()).isEqualTo(4);
        assertThat(cluster.deployment(NS, "svm-moons-green").getSpec().getReplicas()).isZero();
        assertThat(auditRecords()).extracting(r -> details(r).get("action")).containsExactly("deploy", "deploy", "promote", "rollback");
    }

    @Test
    void rollbackDuringASplit_sendsAllTrafficBackAndScalesTheCandidateDown() {
        deploy(IMAGE_A, Map.of());
        deploy(IMAGE_B, Map.of("traffic_percent", 10));
        assertThat(hpa()).isNull(); // paused during the split

        aks(Map.of()).rollback();

        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "blue");
        assertThat(cluster.deployment(NS, "svm-moons-green").getSpec().getReplicas()).isZero();
        assertThat(hpa().getSpec().getScaleTargetRef().getName()).isEqualTo("svm-moons-blue");
        assertThatThrownBy(() -> aks(Map.of()).promote()).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("nothing to promote");
    }

    // ------------------------------------------------------------------------------------ retries

    @Test
    void conflict409_isRetriedWithBackoff() {
        deploy(IMAGE_A, Map.of());
        cluster.server.expect().put().withPath("/api/v1/namespaces/default/services/svm-moons")
                .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict")
                        .withMessage("Operation cannot be fulfilled on services \"svm-moons\": the object has been modified").build())
                .once();
        timing.sleeps.clear();

        deploy(IMAGE_B, Map.of());

        assertThat(timing.sleeps).contains(Backoff.DEFAULT.initial());
        assertThat(service().getSpec().getSelector()).containsEntry("powerai.io/color", "green");
        assertThat(events).extracting(Event::message).anySatisfy(m -> assertThat(m)
                .contains("switch Service svm-moons to green 100%: HTTP 409").contains("retrying in 250 ms (attempt 2 of 5)"));
    }

    @Test
    void serverErrors5xx_areRetriedWithExponentialBackoff() {
        cluster.server.expect().get().withPath("/api/v1/namespaces/default/services/svm-moons")
                .andReturn(503, new StatusBuilder().withCode(503).withMessage("etcd leader changed").build()).times(2);

        deploy(IMAGE_A, Map.of());

        assertThat(timing.sleeps.subList(0, 2)).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(service()).isNotNull();
    }

    @Test
    void serverErrorsThatPersist_giveUpAfterTheBoundedAttempts_exit3() {
        cluster.server.expect().get().withPath("/api/v1/namespaces/default/services/svm-moons")
                .andReturn(500, new StatusBuilder().withCode(500).withMessage("internal error").build()).times(5);
        scoringResult(IMAGE_A);

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> aks(Map.of()).deploy(null));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).contains("kept failing to read Service default/svm-moons (after 5 attempts): HTTP 500 internal error");
        assertThat(timing.sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(1000),
                Duration.ofMillis(2000));
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist(); // nothing changed, nothing to record
    }

    @Test
    void forbidden403_failsAtOnce_withoutRetries() {
        cluster.server.expect().get().withPath("/api/v1/namespaces/default/services/svm-moons")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("services \"svm-moons\" is forbidden: User \"ci\" cannot get resource \"services\"").build()).once();
        scoringResult(IMAGE_A);

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> aks(Map.of()).deploy(null));

        assertThat(e.getMessage()).contains("forbids the kubeconfig's user to read Service default/svm-moons (HTTP 403)");
        assertThat(timing.sleeps).isEmpty();
    }

    @Test
    void otherClientErrors_failAtOnce_andUndoWhatWasDone() throws Exception {
        cluster.server.expect().post().withPath("/apis/apps/v1/namespaces/default/deployments")
                .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid")
                        .withMessage("Deployment.apps \"svm-moons-blue\" is invalid: spec.template.spec.containers[0].image: Required value").build())
                .once();

        assertThatThrownBy(() -> deploy(IMAGE_A, Map.of()))
                .isInstanceOf(PowerAiException.StageFailed.class)
                .hasMessageContaining("the Kubernetes API refused to apply Deployment svm-moons-blue (HTTP 422): Deployment.apps");

        assertThat(timing.sleeps).isEmpty();
        assertThat(cluster.client.secrets().inNamespace(NS).withName("svm-moons-keys").get()).isNull(); // undone
    }

    @Test
    void unreachableCluster_exit3_afterBoundedRetries() {
        scoringResult(IMAGE_A);
        AksDeployment unreachable = new AksDeployment(ctx(Map.of()), io.powerai.core.stage.RunEnvironment.NONE, (s, ev) -> KubeConnection.of(
                new io.fabric8.kubernetes.client.KubernetesClientBuilder().withKubernetesSerialization(KubeYaml.SERIALIZATION)
                        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                                .withMasterUrl("http://127.0.0.1:9").withRequestRetryBackoffLimit(0).build()).build()),
                client -> transport, new AksDeployment.Tuning(timing, Backoff.DEFAULT, Duration.ofSeconds(2)));

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> unreachable.deploy(null));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.messageIn("aksDeploy")).startsWith("aksDeploy: cannot reach the Kubernetes API at http://127.0.0.1:9/ (after 5 attempts)");
        assertThat(timing.sleeps).hasSize(4);
    }

    // ------------------------------------------------------------------------------------ validation first

    @Test
    void invalidInput_isRejectedBeforeAnyCall() {
        int before = cluster.server.getRequestCount();

        scoringResult("myacr.azurecr.io/svm-moons-score:v1");
        assertThatThrownBy(() -> aks(Map.of()).deploy(null)).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("aksDeploy: 'image' must be pinned by digest on Kubernetes (name@sha256:<64 hex digits>, as "
                        + "scoringImage records it), so that every replica and every rollback runs the same bytes; got "
                        + "'myacr.azurecr.io/svm-moons-score:v1'");
        assertThatThrownBy(() -> aks(Map.of("namespace", "ML_Prod", "memory_gb", "lots")).deploy(IMAGE_A))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("'namespace' must be an RFC 1123 label").hasMessageContaining("'memory_gb' must be a number of GB");
        // A user name without a password cannot reach the core: the CLI refuses it (RegistryCredentialsCliTest, exit 2),
        // and the typed credentials cannot hold one alone.
        assertThatThrownBy(() -> aks(Map.of(), Map.of("POWERAI_REGISTRY_USERNAME", "ci")).deploy(IMAGE_A))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need a user name and a password");

        assertThat(connects).isZero();
        assertThat(cluster.server.getRequestCount()).isEqualTo(before);
    }

    @Test
    void nameThatIsNoServiceName_isRejectedBeforeAnyCall() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "1" + "m".repeat(60));
        params.put("target", "aks");
        PipelineSpec spec = PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline();
        StageContext ctx = new StageContext(spec, new Workspace(project, CLOCK), null, null, events::add, CLOCK);
        AksDeployment aks = new AksDeployment(ctx, io.powerai.core.stage.RunEnvironment.NONE, (s, ev) -> {
            connects++;
            return cluster.connection();
        }, client -> transport, new AksDeployment.Tuning(timing, Backoff.DEFAULT, Duration.ofSeconds(2)));

        assertThatThrownBy(() -> aks.deploy(IMAGE_A)).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageStartingWith("aksDeploy: 'name' must be an RFC 1035 label of at most 57 characters on Kubernetes");
        assertThat(connects).isZero();
    }

    @Test
    void serviceNotMadeByPowerai_isNotTakenOver() {
        cluster.client.services().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("svm-moons").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec()
                .build()).create();

        assertThatThrownBy(() -> deploy(IMAGE_A, Map.of())).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("exists but powerai did not make it");
        assertThat(cluster.deployment(NS, "svm-moons-blue")).isNull();
    }

    /**
     * scoringImage records workers as a number, 0 meaning one per CPU: the deployment then sizes the count to the pod's
     * CPU request; a count fixed in the image is left to it. Before, an integer was expected here and 0 was written as
     * the text "auto (one per CPU)"; read as the number it is now, 0 must not count as a fixed count.
     */
    @Test
    void workers_zeroInTheScoringResult_isSizedFromTheCpuRequest_aFixedCountIsLeftToTheImage() {
        scoringResult(IMAGE_A, 0);
        assertThat(aks(Map.of("namespace", "ml", "cpu_cores", 3)).dryRun(null)).contains("WORKER_COUNT");

        scoringResult(IMAGE_A, "auto (one per CPU)"); // as results written before said it
        assertThat(aks(Map.of("namespace", "ml", "cpu_cores", 3)).dryRun(null)).contains("WORKER_COUNT");

        scoringResult(IMAGE_A, 2);
        assertThat(aks(Map.of("namespace", "ml", "cpu_cores", 3)).dryRun(null)).doesNotContain("WORKER_COUNT");
    }

    @Test
    void dryRun_printsTheManifests_contactingNothing() {
        scoringResult(IMAGE_A);
        String yaml = aks(Map.of("namespace", "ml")).dryRun(null);

        assertThat(connects).isZero();
        assertThat(yaml).startsWith("# powerai deploy --dry-run: svm-moons in namespace ml")
                .contains("kind: Deployment").contains("kind: Service").contains("kind: HorizontalPodAutoscaler")
                .contains("kind: PodDisruptionBudget").contains("kind: Secret").contains("image: " + IMAGE_A)
                .contains("deployed-at: 2026-11-26T18:00:00Z");
        assertThat(yaml.split("\n---\n")).hasSize(5);
        assertThat(yaml).doesNotContain("ServiceMonitor");

        String withMonitor = aks(Map.of("namespace", "ml", "service_monitor", true)).dryRun(null);
        assertThat(connects).isZero();
        assertThat(withMonitor.split("\n---\n")).hasSize(6);
        assertThat(withMonitor).contains("kind: ServiceMonitor").contains("targetPort: metrics");
    }
}
