package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate and the history without one shared workspace, as Jenkinsfile.example runs them (it clears the workspace
 * per build): build 1 deploys svm-moons locally from one workspace; build 2, from a fresh copy of the project with no
 * .powerai at all, retrains a worse model. Its gate finds the serving model's metric on the serving container's own
 * record (its labels), keeps it out, and the history of build 2 alone still tells what served and when.
 */
class DeployGateTwoWorkspacesTest {
    private static final String NAME = "svm-gate-2ws";
    private static final String CONTAINER = "powerai-" + NAME;

    @TempDir
    static Path tmp;
    static Path build1;
    static Path build2;
    static int port;

    @BeforeAll
    static void projects() throws Exception {
        LocalInfrastructure.require();
        LocalInfrastructure.run("docker", "rm", "-f", CONTAINER);
        port = LocalInfrastructure.freePort();
        build1 = LocalInfrastructure.copyExample(tmp.resolve("build1"), NAME, port);
        Files.writeString(build1.resolve("powerai.yaml"), Files.readString(build1.resolve("powerai.yaml"))
                + "  gate:\n    metric: test_accuracy\n    min_delta: 0.01\n");
    }

    @AfterAll
    static void removeService() {
        LocalInfrastructure.run("docker", "rm", "-f", CONTAINER);
    }

    private static String containerId() throws Exception {
        Process p = new ProcessBuilder("docker", "inspect", "--format", "{{.Id}}", CONTAINER).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void secondBuildInAClearedWorkspace_gateReadsTheServingModelsMetricFromTheDeployment_andHistoryTellsWhatServed() throws Exception {
        CliRun first = CliRun.of("run", build1.toString());
        assertThat(first.exitCode()).as(first.toString()).isZero();
        String servingImage = String.valueOf(Json.readObject(build1.resolve(".powerai/aksDeploy.json")).get("image"));
        String modelSha = String.valueOf(Json.readObject(build1.resolve(".powerai/scoringImage.json")).get("modelSha256"));
        String servingId = containerId();
        Instant afterFirst = Instant.now();

        // Build 2: the project checked out afresh (no .powerai), retrained with settings that give a worse model.
        build2 = tmp.resolve("build2").resolve(NAME);
        LocalInfrastructure.copyTree(build1, build2); // leaves .powerai out
        assertThat(build2.resolve(".powerai")).doesNotExist();
        Files.writeString(build2.resolve("powerai.yaml"), Files.readString(build2.resolve("powerai.yaml"))
                .replace("args: [\"--C\", \"1.0\", \"--gamma\", \"2.0\"]", "args: [\"--C\", \"0.02\", \"--gamma\", \"0.5\"]"));
        assertThat(Files.readString(build2.resolve("powerai.yaml"))).contains("\"0.02\"");

        CliRun second = CliRun.of("run", build2.toString());
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
        assertThat(second.err()).contains("is not better than the serving model's 0.99 by at least 0.01; the serving version stays");
        assertThat(containerId()).as("the serving container untouched").isEqualTo(servingId);
        String body = Files.readString(build2.resolve("sample-request.json"));
        assertThat(LocalInfrastructure.post("http://127.0.0.1:" + port + "/score", body).statusCode()).isEqualTo(200);

        // Build 2's workspace never recorded build 1's deployment; the container's own record answers.
        assertThat(Files.readAllLines(build2.resolve(".powerai/audit.jsonl")).stream().filter(l -> l.contains("\"stage\":\"aksDeploy\"")))
                .singleElement().asString().contains("\"status\":\"kept\"");
        CliRun at = CliRun.of("history", build2.toString(), "--at", afterFirst.toString());
        assertThat(at.exitCode()).as(at.toString()).isZero();
        assertThat(at.out()).contains("at " + afterFirst + " local " + CONTAINER + " served: " + servingImage + " model " + modelSha
                + " {support_vectors=37.0, test_accuracy=0.99, train_accuracy=0.99}").contains("the container's own record");
        CliRun both = CliRun.of("history", build1.toString(), build2.toString());
        assertThat(both.exitCode()).as(both.toString()).isZero();
        assertThat(both.out()).contains("local " + CONTAINER + ", its own record (the container's labels): 1 version(s)")
                .contains(" - now  " + servingImage).contains("  kept  ").contains("deploy kept");
        List<String> lines = both.out().lines().toList();
        assertThat(lines).anyMatch(l -> l.contains("deploy succeeded") && l.contains("test_accuracy=0.99"));
    }
}
