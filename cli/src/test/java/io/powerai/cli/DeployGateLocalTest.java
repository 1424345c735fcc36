package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy.gate against the real local target (scripts/infra.sh's engine and registry): a copy of svm-moons runs once
 * through all four stages, then deploys again as "new models" whose final metric is set in the workspace's gpuTrain
 * result (the gate reads the new model's metrics from there; the image is the same, so what changes on the target
 * is only what the gate lets through). The serving model's value is the label the serving container carries.
 */
class DeployGateLocalTest {
    private static final String NAME = "svm-gate-e2e";
    private static final String CONTAINER = "powerai-" + NAME;

    @TempDir
    static Path tmp;
    static Path project;
    static int port;

    @BeforeAll
    static void runOnce() throws Exception {
        LocalInfrastructure.require();
        port = LocalInfrastructure.freePort();
        project = LocalInfrastructure.copyExample(tmp, NAME, port);
        Files.writeString(project.resolve("powerai.yaml"), Files.readString(project.resolve("powerai.yaml"))
                + "  gate:\n    metric: test_accuracy\n    min_delta: 0.01\n");
    }

    @AfterAll
    static void removeService() {
        LocalInfrastructure.run("docker", "rm", "-f", CONTAINER);
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static String containerId() throws Exception {
        return docker("inspect", "--format", "{{.Id}}", CONTAINER);
    }

    private static String metricsLabel() throws Exception {
        return docker("inspect", "--format", "{{index .Config.Labels \"io.powerai.metrics\"}}", CONTAINER);
    }

    /** The "new model": the last training's final test_accuracy as the gate will read it. */
    @SuppressWarnings("unchecked")
    private static void newModelScores(double testAccuracy) throws IOException {
        Path file = project.resolve(".powerai/gpuTrain.json");
        Map<String, Object> result = Json.readObject(file);
        Map<String, Object> metrics = new TreeMap<>((Map<String, Object>) result.get("metrics"));
        metrics.put("test_accuracy", testAccuracy);
        result.put("metrics", metrics);
        Files.writeString(file, Json.pretty(result));
    }

    private static long auditRecords() throws IOException {
        return Files.readAllLines(project.resolve(".powerai/audit.jsonl")).size();
    }

    private static void answers() throws Exception {
        String body = Files.readString(project.resolve("sample-request.json"));
        assertThat(LocalInfrastructure.post("http://127.0.0.1:" + port + "/score", body).statusCode()).isEqualTo(200);
    }

    @Test
    void gate_firstDeployPasses_worseAndEqualWithinMinDeltaAreKept_betterPromotes_missingMetricIsExit2() throws Exception {
        CliRun first = CliRun.of("run", project.toString());
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("gate test_accuracy (max, min_delta 0.01): nothing serves yet, the first model (0.99) passes");
        assertThat(metricsLabel()).contains("\"test_accuracy\":0.99");
        String servingId = containerId();
        answers();

        // Worse: exit 1, one line with both values; the serving container untouched and answering; recorded as kept.
        newModelScores(0.9);
        long before = auditRecords();
        CliRun worse = CliRun.of("deploy", project.toString());
        worse.assertOneLineError(1, "aksDeploy: gate test_accuracy (max, min_delta 0.01): the new model's 0.9 is not better than "
                + "the serving model's 0.99 by at least 0.01; the serving version stays");
        assertThat(containerId()).isEqualTo(servingId);
        answers();
        assertThat(auditRecords()).isEqualTo(before + 1);
        Map<String, Object> kept = Json.readObject(project.resolve(".powerai/aksDeploy.json"));
        assertThat(kept).containsEntry("status", "kept");
        assertThat(Files.readAllLines(project.resolve(".powerai/audit.jsonl")).get((int) before)).contains("\"status\":\"kept\"");

        // Better, but by less than min_delta: kept too.
        newModelScores(0.995);
        CliRun equal = CliRun.of("deploy", project.toString());
        assertThat(equal.exitCode()).as(equal.toString()).isEqualTo(1);
        assertThat(containerId()).isEqualTo(servingId);

        // The gate alone: answers, changes nothing, records nothing.
        long beforeGateOnly = auditRecords();
        assertThat(CliRun.of("deploy", project.toString(), "--gate-only").exitCode()).isEqualTo(1);
        newModelScores(1.0);
        CliRun gateOnly = CliRun.of("deploy", project.toString(), "--gate-only");
        assertThat(gateOnly.exitCode()).as(gateOnly.toString()).isZero();
        assertThat(auditRecords()).isEqualTo(beforeGateOnly);
        assertThat(containerId()).isEqualTo(servingId);

        // Better by min_delta: promoted; the new container records the new value.
        CliRun better = CliRun.of("deploy", project.toString());
        assertThat(better.exitCode()).as(better.toString()).isZero();
        assertThat(better.out()).contains("the new model's 1 against the serving model's 0.99 passes");
        assertThat(containerId()).isNotEqualTo(servingId);
        assertThat(metricsLabel()).contains("\"test_accuracy\":1.0");
        answers();

        // A gate metric the new model lacks: exit 2 naming it, before anything changes.
        String promotedId = containerId();
        Files.writeString(project.resolve("powerai.yaml"), Files.readString(project.resolve("powerai.yaml"))
                .replace("metric: test_accuracy", "metric: f1_score"));
        CliRun missing = CliRun.of("deploy", project.toString());
        missing.assertOneLineError(2, "'gate.metric' f1_score is not among the new model's metrics (support_vectors, test_accuracy, train_accuracy)");
        assertThat(containerId()).isEqualTo(promotedId);
    }
}
