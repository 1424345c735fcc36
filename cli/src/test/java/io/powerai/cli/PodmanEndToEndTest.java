package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same engine adapter on podman (daemonless, configured as scripts/infra.sh podman does): the example
 * through all four stages, images pushed to the same registry with the digests the results record.
 */
class PodmanEndToEndTest {
    private static final String NAME = "svm-moons-podman-e2e";

    @TempDir
    static Path tmp;

    @AfterAll
    static void removeService() {
        LocalInfrastructure.run("podman", "rm", "-f", "-t", "0", "powerai-" + NAME);
    }

    @Test
    void example_runsOnPodman() throws Exception {
        LocalInfrastructure.requirePodman();
        int port = LocalInfrastructure.freePort();
        Path project = LocalInfrastructure.copyExample(tmp, NAME, port);

        CliRun run = CliRun.of("run", project.toString(), "--engine", "podman");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("[amlEnvSnapshot] building 127.0.0.1:5000/" + NAME + "-env:")
                .contains("prediction:    {\"predictions\": [0, 0, 1, 1]}")
                .contains("scoring URL:   http://127.0.0.1:" + port + "/score");

        Map<String, Object> snapshot = Json.readObject(project.resolve(".powerai/amlEnvSnapshot.json"));
        Map<String, Object> scoring = Json.readObject(project.resolve(".powerai/scoringImage.json"));
        String snapshotId = String.valueOf(snapshot.get("snapshotId"));
        assertThat(LocalInfrastructure.manifestDigest(NAME + "-env", snapshotId)).contains(String.valueOf(snapshot.get("digest")));
        String scoringTag = String.valueOf(scoring.get("imageTag"));
        assertThat(LocalInfrastructure.manifestDigest(NAME + "-score", scoringTag.substring(scoringTag.lastIndexOf(':') + 1)))
                .contains(String.valueOf(scoring.get("digest")));
        assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();

        // podman 4.3 keeps the restart policy too: the service answers again after its server exits.
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json")).get("restartPolicy")).isEqualTo("unless-stopped");
        LocalServiceRestart.exitServerAndAwaitAnswer("podman", "powerai-" + NAME, "http://127.0.0.1:" + port + "/score",
                java.nio.file.Files.readString(project.resolve("sample-request.json")));
    }
}
