package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.Event;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.FakeTiming;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.powerai.core.stage.deploy.AksDeploymentMockServerTest.CLOCK;
import static io.powerai.core.stage.deploy.AksDeploymentMockServerTest.IMAGE_A;
import static io.powerai.core.stage.deploy.AksDeploymentMockServerTest.IMAGE_B;
import static io.powerai.core.stage.deploy.AksDeploymentMockServerTest.NS;
import static io.powerai.core.stage.deploy.AksDeploymentMockServerTest.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code powerai deploy delete} on target aks, against fabric8's mock API server in CRUD mode (no real Kubernetes API
 * server can run here; see {@link MockCluster}). Two versions are rolled out first (both colors, Service, autoscaler,
 * budget, keys and pull Secrets), so the delete meets everything a deployment creates.
 */
class AksRemovalMockServerTest {
    private static final io.powerai.core.stage.RunEnvironment REGISTRY_CREDENTIALS = new io.powerai.core.stage.RunEnvironment(
            null, new io.powerai.core.registry.Credentials("robot", "pull-secret-value-7"), null);

    @TempDir
    Path project;

    MockCluster cluster;
    FakeTiming timing;
    final List<Event> events = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cluster = new MockCluster();
        timing = new FakeTiming().onSleep(() -> cluster.rollOut(NS));
        Files.writeString(project.resolve("sample.json"), "{\"data\": [[0.5, 0.2]]}");
        Files.writeString(project.resolve("answer.json"), "[1]");
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private StageContext ctx() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("target", "aks");
        params.put("sample_request", "sample.json");
        params.put("expected_response", "answer.json");
        PipelineSpec spec = PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline();
        return new StageContext(spec, new Workspace(project, CLOCK), null, null, events::add, CLOCK);
    }

    private AksDeployment.Tuning tuning() {
        return new AksDeployment.Tuning(timing, Backoff.DEFAULT, Duration.ofSeconds(2));
    }

    private void deploy(String image) {
        new AksDeployment(ctx(), REGISTRY_CREDENTIALS, (settings, ev) -> cluster.connection(),
                client -> ScriptedTransport.answering("[1]"), tuning()).deploy(image);
    }

    private Map<String, Object> delete() {
        return AksDeploymentMockServerTest.asMap(new AksRemoval(ctx(), (settings, ev) -> cluster.connection(), tuning()).delete());
    }

    /** Every object of the project the API server still has, as Kind/name. */
    private List<String> objects() {
        List<String> out = new ArrayList<>();
        cluster.client.apps().deployments().inNamespace(NS).list().getItems().forEach(o -> out.add(kindAndName(o)));
        cluster.client.services().inNamespace(NS).list().getItems().forEach(o -> out.add(kindAndName(o)));
        cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).list().getItems().forEach(o -> out.add(kindAndName(o)));
        cluster.client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems().forEach(o -> out.add(kindAndName(o)));
        cluster.client.secrets().inNamespace(NS).list().getItems().forEach(o -> out.add(kindAndName(o)));
        return out;
    }

    private static String kindAndName(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }

    private List<Map<String, Object>> auditRecords() throws Exception {
        return AksDeploymentMockServerTest.auditRecords(project);
    }

    @Test
    void delete_removesBothColorsServiceAutoscalerBudgetAndSecrets_andRecordsIt() throws Exception {
        deploy(IMAGE_A);
        deploy(IMAGE_B);
        assertThat(objects()).containsExactlyInAnyOrder("Deployment/svm-moons-blue", "Deployment/svm-moons-green", "Service/svm-moons",
                "HorizontalPodAutoscaler/svm-moons", "PodDisruptionBudget/svm-moons", "Secret/svm-moons-keys", "Secret/svm-moons-registry");

        Map<String, Object> result = delete();

        assertThat(objects()).isEmpty();
        List<String> all = List.of("Deployment/svm-moons-blue", "Deployment/svm-moons-green", "Service/svm-moons",
                "HorizontalPodAutoscaler/svm-moons", "PodDisruptionBudget/svm-moons", "Secret/svm-moons-keys", "Secret/svm-moons-registry");
        assertThat(result).containsEntry("status", "succeeded").containsEntry("action", "delete").containsEntry("deleted", all);
        Map<String, Object> record = auditRecords().get(2);
        assertThat(record).containsEntry("stage", "aksDeploy").containsEntry("status", "succeeded");
        assertThat(details(record)).containsEntry("action", "delete").containsEntry("target", "aks").containsEntry("namespace", NS)
                .containsEntry("deleted", all).containsEntry("serving", List.of());
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).containsEntry("action", "delete");
        // deploy history reads the delete as "nothing serves from here on"
        List<io.powerai.core.history.RunHistory.Deployment> history = io.powerai.core.history.AksHistory.fromAudit(project.resolve(".powerai/audit.jsonl"), "svm-moons");
        assertThat(history).extracting(io.powerai.core.history.RunHistory.Deployment::action).containsExactly("deploy", "deploy", "delete");
        assertThat(io.powerai.core.history.AksHistory.servingAt(history, CLOCK.instant()).get(NS).serving()).isEmpty();
    }

    @Test
    void delete_waitsUntilTheObjectsAreGone() {
        deploy(IMAGE_A);
        // A finalizer holds the Deployment as a real cluster does while its pods stop: the API server keeps it,
        // marked for deletion, until the finalizer is removed.
        Deployment blue = cluster.deployment(NS, "svm-moons-blue");
        blue.getMetadata().setFinalizers(List.of("example.com/pods-stopping"));
        cluster.client.apps().deployments().inNamespace(NS).resource(blue).update();
        int[] polls = {0};
        timing.onSleep(() -> {
            if (++polls[0] == 3) {
                Deployment held = cluster.deployment(NS, "svm-moons-blue");
                held.getMetadata().setFinalizers(List.of());
                cluster.client.apps().deployments().inNamespace(NS).resource(held).update();
            }
        });
        int sleepsBefore = timing.sleeps.size();

        delete();

        assertThat(cluster.deployment(NS, "svm-moons-blue")).isNull();
        assertThat(timing.sleeps.size() - sleepsBefore).as("polls until the finalizer went").isEqualTo(3);
    }

    @Test
    void delete_ofObjectsThatNeverGo_failsAtTheTimeout_namingThem_andRecordsTheFailure() throws Exception {
        deploy(IMAGE_A);
        Deployment blue = cluster.deployment(NS, "svm-moons-blue");
        blue.getMetadata().setFinalizers(List.of("example.com/stuck"));
        cluster.client.apps().deployments().inNamespace(NS).resource(blue).update();
        timing.onSleep(() -> { });

        assertThatThrownBy(this::delete).isInstanceOf(PowerAiException.StageFailed.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy"))
                        .contains("aksDeploy: still present 600 s after the delete").contains("Deployment default/svm-moons-blue"));
        Map<String, Object> record = auditRecords().get(1);
        assertThat(record).containsEntry("status", "failed");
        assertThat(details(record)).containsEntry("action", "delete").containsKey("failure");
    }

    @Test
    void delete_leavesAloneAnObjectOfTheSameNameNotMadeByPowerai() throws Exception {
        cluster.client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("svm-moons-keys")
                .withNamespace(NS).endMetadata().addToStringData("token", "someone-elses").build()).create();

        Map<String, Object> result = delete();

        assertThat(objects()).containsExactly("Secret/svm-moons-keys");
        assertThat(result).containsEntry("deleted", List.of()).containsEntry("leftAlone", List.of("Secret/svm-moons-keys"));
        assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("left alone: Secret default/svm-moons-keys"));
    }

    @Test
    void delete_withNothingDeployed_succeeds_andSaysSo() throws Exception {
        Map<String, Object> result = delete();

        assertThat(result).containsEntry("status", "succeeded").containsEntry("deleted", List.of());
        assertThat(events).anySatisfy(e -> assertThat(e.toString()).contains("nothing to delete: namespace default holds no object of svm-moons"));
        assertThat(auditRecords()).hasSize(1);
    }
}
