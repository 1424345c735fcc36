package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The svm-moons example through all four stages on the real engine and registry (scripts/infra.sh): a copy of
 * the example with its own name, port and a unique environment variable, so that the snapshot is really built.
 */
class SvmMoonsEndToEndTest {
    private static final String NAME = "svm-moons-e2e";

    @TempDir
    static Path tmp;
    static Path project;
    static int port;

    @BeforeAll
    static void copyExample() throws Exception {
        LocalInfrastructure.require();
        port = LocalInfrastructure.freePort();
        project = LocalInfrastructure.copyExample(tmp, NAME, port);
    }

    @AfterAll
    static void removeService() {
        LocalInfrastructure.run("docker", "rm", "-f", "powerai-" + NAME);
    }

    @Test
    void example_runsThroughAllFourStages_andLeavesAVerifiableTrail() throws Exception {
        CliRun run = CliRun.of("run", project.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String url = "http://127.0.0.1:" + port + "/score";
        assertThat(run.out())
                .contains("[amlEnvSnapshot] building 127.0.0.1:5000/" + NAME + "-env:")
                .contains("[gpuTrain] | metric test_accuracy=")
                .contains("[scoringImage] parity gate passed")
                .contains("scoring URL:   " + url)
                .contains("prediction:    {\"predictions\": [0, 0, 1, 1]}");

        Path ws = project.resolve(".powerai");
        Map<String, Object> snapshot = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
        Map<String, Object> training = Json.readObject(ws.resolve("gpuTrain.json"));
        Map<String, Object> scoring = Json.readObject(ws.resolve("scoringImage.json"));
        Map<String, Object> deploy = Json.readObject(ws.resolve("aksDeploy.json"));

        // The images are in the registry under the digests the results recorded.
        String snapshotTag = String.valueOf(snapshot.get("imageTag"));
        assertThat(LocalInfrastructure.manifestDigest(NAME + "-env", snapshotTag.substring(snapshotTag.lastIndexOf(':') + 1)))
                .contains(String.valueOf(snapshot.get("digest")));
        String scoringTag = String.valueOf(scoring.get("imageTag"));
        assertThat(LocalInfrastructure.manifestDigest(NAME + "-score", scoringTag.substring(scoringTag.lastIndexOf(':') + 1)))
                .contains(String.valueOf(scoring.get("digest")));
        assertThat(snapshot.get("image")).isEqualTo("127.0.0.1:5000/" + NAME + "-env@" + snapshot.get("digest"));
        assertThat(training.get("image")).isEqualTo(snapshot.get("image"));
        assertThat(scoring.get("snapshotImage")).isEqualTo(snapshot.get("image"));
        assertThat(deploy.get("image")).isEqualTo(scoring.get("image"));

        // Training: metrics captured, every output hashed, the model's digest carried into the scoring image.
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) training.get("metrics");
        assertThat(((Number) metrics.get("test_accuracy")).doubleValue()).isGreaterThan(0.9);
        @SuppressWarnings("unchecked")
        Map<String, Object> outputs = (Map<String, Object>) training.get("outputs");
        assertThat(outputs).containsOnlyKeys("model.pkl", "parity.json");
        assertThat(scoring.get("modelSha256")).isEqualTo(outputs.get("model.pkl"));

        // The scoring image reproduced the answers recorded at training time before it was pushed.
        assertThat(scoring.get("parity")).asString().contains("checked=3");
        assertThat(((Number) scoring.get("overheadBytes")).longValue()).isPositive();
        // No 'workers' in the score section: recorded as the number 0 (one per CPU), which a deployment reads as a
        // number; the text "auto (one per CPU)" recorded here before was dropped by every typed reader.
        assertThat(scoring.get("serving")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("workers", 0);

        // The deployed service answers the sample with the expected classes.
        HttpResponse<String> answer = LocalInfrastructure.post(url, Files.readString(project.resolve("sample-request.json")));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(answer.body())).isEqualTo(Json.mapper().readTree("{\"predictions\": [0, 0, 1, 1]}"));

        // The engine restarts the service when its server exits, as Kubernetes would, and the deployment says so.
        assertThat(deploy.get("restartPolicy")).isEqualTo("unless-stopped");
        assertThat(run.out()).contains("the engine restarts powerai-" + NAME + " if it exits (restart policy unless-stopped");
        LocalServiceRestart.exitServerAndAwaitAnswer("docker", "powerai-" + NAME, url,
                Files.readString(project.resolve("sample-request.json")));

        // Every artifact the steps archive after a successful run is a file the real stages wrote.
        for (io.powerai.core.spec.StageDescriptor descriptor : io.powerai.core.spec.StageDescriptor.values()) {
            assertThat(DescribedArtifacts.missing(descriptor, project)).as(descriptor.step() + "'s artifacts").isEmpty();
        }

        // Unchanged inputs: the snapshot is found in the registry and not built again.
        CliRun again = CliRun.of("snapshot", project.toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("build skipped").doesNotContain("building");
        Map<String, Object> second = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
        assertThat(second.get("image")).isEqualTo(snapshot.get("image"));
        assertThat(second.get("built")).isEqualTo(false);

        // The audit trail: five records, intact; one byte changed and verification names the record.
        CliRun verified = CliRun.of("audit", "verify", project.toString());
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("audit: OK, 5 record(s)");
        Path audit = ws.resolve("audit.jsonl");
        List<String> lines = Files.readAllLines(audit, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).contains("\"stage\":\"gpuTrain\"").contains(String.valueOf(outputs.get("model.pkl")));
        byte[] bytes = Files.readAllBytes(audit);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("test_accuracy");
        bytes[at] = (byte) 'T';
        Files.write(audit, bytes);
        CliRun tampered = CliRun.of("audit", "verify", project.toString());
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.err()).contains("audit: FAILED at record 2 (gpuTrain): content changed");
    }
}
