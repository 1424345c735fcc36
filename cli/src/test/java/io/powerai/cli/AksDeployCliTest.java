package io.powerai.cli;

import io.powerai.core.audit.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai deploy} with target aks, through the command: what can be checked without a cluster (dry run,
 * validation before any call, an unreachable cluster, history from the audit log). Rollouts themselves are
 * tested in core against fabric8's mock API server (AksDeploymentMockServerTest).
 */
class AksDeployCliTest {
    static final String IMAGE = "myacr.azurecr.io/svm-moons-score@sha256:" + "ab".repeat(32);

    @TempDir
    Path project;

    private void project(String deploy) throws Exception {
        Files.writeString(project.resolve("powerai.yaml"), "name: svm-moons\ndeploy:\n" + deploy);
    }

    private CliRun run(Map<String, String> env, String... args) {
        return CliRun.withoutKubeconfig(env, args);
    }

    private static void assertOneLineError(CliRun run, int exitCode, String... fragments) {
        run.assertOneLineError(exitCode, fragments);
    }

    @Test
    void dryRun_printsMultiDocumentYaml_contactingNothing() throws Exception {
        project("  target: aks\n  namespace: ml-prod\n  num_replicas: 2\n  gpu_cores: 1\n");

        CliRun run = run(Map.of(), "deploy", project.toString(), "--dry-run", "--image", IMAGE);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("kind: Deployment").contains("kind: Service").contains("kind: PodDisruptionBudget")
                .contains("namespace: ml-prod").contains("replicas: 2").contains("nvidia.com/gpu: \"1\"").contains("image: " + IMAGE)
                .doesNotContain("HorizontalPodAutoscaler");
        assertThat(run.out().split("\n---\n")).hasSize(4); // keys Secret, Deployment, Service, PodDisruptionBudget
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void dryRun_ofALocalProject_rendersItForAks() throws Exception {
        project("  target: local\n  port: 8891\n");
        CliRun run = run(Map.of(), "deploy", project.toString(), "--dry-run", "--image", IMAGE);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("name: svm-moons-blue");
    }

    @Test
    void imageWithoutDigest_exit2_beforeAnyCall() throws Exception {
        project("  target: aks\n");
        assertOneLineError(run(Map.of(), "deploy", project.toString(), "--image", "myacr.azurecr.io/svm-moons-score:v1"), 2,
                "aksDeploy: 'image' must be pinned by digest", "'myacr.azurecr.io/svm-moons-score:v1'");
    }

    @Test
    void invalidNamespaceAndQuantity_exit2_oneLineEach() throws Exception {
        project("  target: aks\n  namespace: ML_Prod\n  cpu_cores: -1\n");
        CliRun run = run(Map.of(), "deploy", project.toString(), "--image", IMAGE);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().lines()).containsExactly(
                "aksDeploy: 'namespace' must be an RFC 1123 label (lowercase letters, digits, '-', starting and ending with a "
                        + "letter or digit, at most 63 characters); got 'ML_Prod'",
                "aksDeploy: 'cpu_cores' must be a number of cores greater than 0 and at most 1000, e.g. 0.5; got -1");
    }

    @Test
    void noCredentials_exit2() throws Exception {
        project("  target: aks\n");
        assertOneLineError(run(Map.of(), "deploy", project.toString(), "--image", IMAGE), 2,
                "aksDeploy: no credentials for the cluster: set KUBECONFIG");
        assertOneLineError(run(Map.of(), "deploy", "promote", project.toString()), 2, "aksDeploy: no credentials");
        assertOneLineError(run(Map.of(), "deploy", "delete", project.toString()), 2, "aksDeploy: no credentials");
    }

    @Test
    void delete_ofAnAksDeployment_onAnUnreachableCluster_exit3_andRecordsNothing() throws Exception {
        UnreachableCluster cluster = UnreachableCluster.in(project);
        project("  target: aks\n");

        CliRun run = run(Map.of("KUBECONFIG", cluster.kubeconfig().toString()), "deploy", "delete", project.toString());

        assertOneLineError(run, 3, "aksDeploy: cannot reach the Kubernetes API at http://127.0.0.1:" + cluster.port());
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void unreachableCluster_exit3() throws Exception {
        UnreachableCluster cluster = UnreachableCluster.in(project);
        project("  target: aks\n");

        CliRun run = run(Map.of("KUBECONFIG", cluster.kubeconfig().toString()), "deploy", project.toString(), "--image", IMAGE);

        assertOneLineError(run, 3, "aksDeploy: cannot reach the Kubernetes API at http://127.0.0.1:" + cluster.port());
        assertThat(run.out() + run.err()).doesNotContain(UnreachableCluster.TOKEN);
    }

    @Test
    void targetOverride_acceptsLocalOrAksOnly() throws Exception {
        project("  target: local\n");
        assertOneLineError(run(Map.of(), "deploy", project.toString(), "--target", "aci"), 2,
                "aksDeploy: 'target' must be 'local' or 'aks'; got 'aci'");
    }

    @Test
    void history_answersWhatServedAtATime_fromTheAuditLog() throws Exception {
        project("  target: aks\n  namespace: prod\n");
        Path audit = project.resolve(".powerai/audit.jsonl");
        String a = "myacr.azurecr.io/svm-moons-score@sha256:" + "aa".repeat(32);
        String b = "myacr.azurecr.io/svm-moons-score@sha256:" + "bb".repeat(32);
        new AuditLog(audit, Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC)).append(new AuditLog.Entry("aksDeploy",
                "succeeded", Map.of("image", a), Map.of(), Map.of("target", "aks", "action", "deploy", "namespace", "prod",
                "service", "svm-moons", "serving", List.of(Map.of("color", "blue", "image", a, "modelSha256", "m1", "trafficPercent", 100)))));
        new AuditLog(audit, Clock.fixed(Instant.parse("2026-11-26T19:00:00Z"), ZoneOffset.UTC)).append(new AuditLog.Entry("aksDeploy",
                "succeeded", Map.of("image", b), Map.of(), Map.of("target", "aks", "action", "deploy", "namespace", "prod",
                "service", "svm-moons", "serving", List.of(Map.of("color", "green", "image", b, "modelSha256", "m2", "trafficPercent", 100)))));

        CliRun at = run(Map.of(), "deploy", "history", project.toString(), "--at", "2026-11-26T18:00:00Z");
        assertThat(at.exitCode()).as(at.toString()).isZero();
        assertThat(at.out().strip()).isEqualTo(DeployCommands.AKS_ONLY + "\nat 2026-11-26T18:00:00Z prod/svm-moons served: blue 100% " + a
                + " model m1  (deploy succeeded at 2026-11-26T10:00:00Z, audit record 1)");

        CliRun all = run(Map.of(), "deploy", "history", project.toString());
        assertThat(all.out().lines()).hasSize(4).last().asString().contains("green 100% " + b);
        CliRun json = run(Map.of(), "deploy", "history", project.toString(), "--json", "--at", "2026-11-26T19:00:00Z");
        assertThat(json.out()).contains("\"servingAt\"").contains("\"m2\"").contains("\"targets\" : [ \"aks\" ]");
        assertOneLineError(run(Map.of(), "deploy", "history", project.toString(), "--at", "yesterday"), 2, "'--at' must be an ISO-8601 instant");
    }

    @Test
    void history_ofALocalDeployment_saysItAnswersForAksOnly() throws Exception {
        project("  target: local\n");
        new AuditLog(project.resolve(".powerai/audit.jsonl"), Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC))
                .append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of("image", "127.0.0.1:5000/svm-moons-score:1"),
                        Map.of("endpoint", "http://127.0.0.1:8890/score"), Map.of("target", "local", "container", "powerai-svm-moons")));

        CliRun run = run(Map.of(), "deploy", "history", project.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow())
                .isEqualTo(DeployCommands.AKS_ONLY + "; the deploy section of svm-moons targets local");
        assertThat(run.out()).contains("local deployments: powerai history DIR [--at TIME]");
        assertThat(run(Map.of(), "deploy", "history", "--help").out()).contains("AKS deployments only");
        CliRun at = run(Map.of(), "deploy", "history", project.toString(), "--at", "2026-11-26T18:00:00Z");
        assertThat(at.out()).contains("records no AKS deployment of svm-moons");
    }

    @Test
    void deployHelp_listsTheTrafficCommands() {
        CliRun run = run(Map.of(), "deploy", "--help");
        assertThat(run.out()).contains("promote").contains("rollback").contains("history").contains("--dry-run");
    }
}
