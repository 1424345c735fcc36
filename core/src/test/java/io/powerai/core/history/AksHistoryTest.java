package io.powerai.core.history;

import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.stage.deploy.AksManifests;
import io.powerai.core.kubernetes.MockApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Which model was in production at time T": from the audit log, and the cluster's ReplicaSets (mock API server).
 * The AKS view ({@code deploy history}) of the model that {@code powerai history} shows: moved from deploy/DeployHistoryTest
 * with its assertions.
 */
class AksHistoryTest {
    static final String A = "acr.io/svm-score@sha256:" + "aa".repeat(32);
    static final String B = "acr.io/svm-score@sha256:" + "bb".repeat(32);

    @TempDir
    Path dir;

    private void record(AuditLog log, String status, String action, String ns, List<Map<String, Object>> serving) {
        log.append(new AuditLog.Entry("aksDeploy", status, Map.of(), Map.of(), Map.of("target", "aks", "action", action,
                "namespace", ns, "service", "svm-moons", "serving", serving)));
    }

    private static Map<String, Object> v(String color, String image, String model, int percent) {
        return Map.of("color", color, "image", image, "modelSha256", model, "trafficPercent", percent);
    }

    private AuditLog logAt(String time) {
        return new AuditLog(dir.resolve("audit.jsonl"), Clock.fixed(Instant.parse(time), ZoneOffset.UTC));
    }

    @Test
    void servingAt_isTheLastChangeAtOrBeforeThatTime_perNamespace() {
        record(logAt("2026-11-26T10:00:00Z"), "succeeded", "deploy", "prod", List.of(v("blue", A, "m1", 100)));
        record(logAt("2026-11-26T12:00:00Z"), "succeeded", "deploy", "prod", List.of(v("blue", A, "m1", 80), v("green", B, "m2", 20)));
        record(logAt("2026-11-26T13:00:00Z"), "rolled-back", "deploy", "staging", List.of());
        record(logAt("2026-11-26T14:00:00Z"), "succeeded", "promote", "prod", List.of(v("green", B, "m2", 100)));
        new AuditLog(dir.resolve("audit.jsonl"), Clock.systemUTC()).append(new AuditLog.Entry("gpuTrain", "succeeded",
                Map.of(), Map.of(), Map.of()));

        List<RunHistory.Deployment> changes = AksHistory.fromAudit(dir.resolve("audit.jsonl"), "svm-moons");
        assertThat(changes).hasSize(4);

        assertThat(AksHistory.servingAt(changes, Instant.parse("2026-11-26T09:59:59Z"))).isEmpty();
        assertThat(AksHistory.servingAt(changes, Instant.parse("2026-11-26T11:00:00Z")).get("prod").serving())
                .containsExactly(v("blue", A, "m1", 100));
        assertThat(AksHistory.servingAt(changes, Instant.parse("2026-11-26T12:00:00Z")).get("prod").serving()).hasSize(2);
        Map<String, RunHistory.Deployment> at15 = AksHistory.servingAt(changes, Instant.parse("2026-11-26T15:00:00Z"));
        assertThat(at15.get("prod").action()).isEqualTo("promote");
        assertThat(Deployments.describeServing(at15.get("prod").serving())).isEqualTo("green 100% " + B + " model m2");
        assertThat(at15.get("staging").serving()).isEmpty();
        assertThat(AksHistory.line(at15.get("staging"))).contains("deploy   rolled-back nothing serves");

        Map<String, Object> json = AksHistory.toMap(changes, null, Optional.of(Instant.parse("2026-11-26T11:00:00Z")));
        assertThat(json).containsKeys("audit", "servingAt").doesNotContainKey("cluster");
    }

    @Test
    void fromCluster_readsEachColorsReplicaSets_withTheirLineage() {
        try (MockApiServer cluster = new MockApiServer()) {
            cluster.client.apps().replicaSets().inNamespace("prod").resource(rs("svm-moons-blue-6f7", "svm-moons-blue", "1", A, "m1",
                    "2026-11-26T10:00:00Z")).create();
            cluster.client.apps().replicaSets().inNamespace("prod").resource(rs("svm-moons-green-8c1", "svm-moons-green", "1", B, "m2",
                    "2026-11-26T12:00:00Z")).create();

            List<AksHistory.Revision> revisions = AksHistory.fromCluster(cluster.client, "prod", "svm-moons");

            assertThat(revisions).extracting(AksHistory.Revision::deployment).containsExactly("svm-moons-blue", "svm-moons-green");
            assertThat(revisions.get(1).modelSha256()).isEqualTo("m2");
            // The mock stamps creationTimestamp itself (as a real API server does), so compare with what it stamped.
            assertThat(AksHistory.heldAt(revisions, revisions.get(0).created().minusSeconds(1))).isEmpty();
            assertThat(AksHistory.heldAt(revisions, revisions.get(1).created())).containsOnlyKeys("svm-moons-blue", "svm-moons-green");
            assertThat(AksHistory.line(revisions.get(0))).contains("prod/svm-moons-blue  revision 1").contains(A + " model m1");
        }
    }

    private static io.fabric8.kubernetes.api.model.apps.ReplicaSet rs(String name, String owner, String revision, String image,
                                                                       String model, String created) {
        return new ReplicaSetBuilder()
                .withNewMetadata().withName(name).withNamespace("prod").withCreationTimestamp(created)
                    .addToLabels(AksManifests.NAME, "svm-moons").addToLabels(AksManifests.MANAGED_BY, "powerai")
                    .addToAnnotations("deployment.kubernetes.io/revision", revision)
                    .addNewOwnerReference().withKind("Deployment").withName(owner).withApiVersion("apps/v1").withUid("u").endOwnerReference()
                .endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels(AksManifests.NAME, "svm-moons").endSelector()
                    .withNewTemplate().withNewMetadata().addToAnnotations(AksManifests.IMAGE, image)
                        .addToAnnotations(AksManifests.MODEL_SHA256, model).endMetadata()
                    .withNewSpec().addNewContainer().withName("score").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    @Test
    void oneModelTwoViews_deployHistoryIsTheAksPartOfTheRunHistory() {
        record(logAt("2026-11-26T10:00:00Z"), "succeeded", "deploy", "prod", List.of(v("blue", A, "m1", 100)));
        record(logAt("2026-11-26T14:00:00Z"), "succeeded", "promote", "prod", List.of(v("green", B, "m2", 100)));
        logAt("2026-11-26T15:00:00Z").append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of("image", A), Map.of(),
                Map.of("target", "local", "container", "powerai-svm-moons", "url", "http://127.0.0.1:8890/score")));

        RunHistory history = RunHistory.read(List.of(dir));

        assertThat(history.deployments()).hasSize(3);
        assertThat(Deployments.of(history.deployments(), "aks", "svm-moons"))
                .isEqualTo(AksHistory.fromAudit(dir.resolve("audit.jsonl"), "svm-moons"));
        RunHistory.Deployment local = history.deployments().get(2);
        assertThat(local.where()).isEqualTo("powerai-svm-moons");
        assertThat(Deployments.describeServing(local.serving())).isEqualTo(A + " model unknown");
    }
}
