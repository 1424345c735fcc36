package io.powerai.cli;

import io.powerai.core.json.Json;
import io.powerai.core.stage.Parity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image-classifier example (a PyTorch CNN) stage by stage on the real engine and registry, on the PyTorch base
 * image that scripts/infra.sh builds: snapshot, train on the CPU, scoring image through the parity gate, deploy
 * --target local; the service answers the sample as recorded, and the audit trail verifies.
 */
class ImageClassifierEndToEndTest {
    private static final String NAME = "image-classifier-e2e";

    @TempDir
    static Path tmp;
    static Path project;
    static int port;

    @BeforeAll
    static void copyExample() throws Exception {
        LocalInfrastructure.requireTorchImage();
        port = LocalInfrastructure.freePort();
        project = LocalInfrastructure.copyExample(tmp, "image-classifier", NAME, port);
    }

    @AfterAll
    static void removeService() {
        LocalInfrastructure.run("docker", "rm", "-f", "powerai-" + NAME);
    }

    @Test
    void committedData_isWhatTheGeneratorDraws() throws Exception {
        // The images are committed; the seeded generator must still draw exactly them with the base image's numpy.
        Process check = new ProcessBuilder("docker", "run", "--rm", "--network", "none", "-v", project + ":/p:ro", "-w", "/p",
                LocalInfrastructure.TORCH_IMAGE, "python3", "make_data.py", "--check").redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("matches make_data.py (2000 images, seed 2024)");
    }

    @Test
    void example_fourStagesOnTheCpu_servesTheSampleAsRecorded_andLeavesAVerifiableTrail() throws Exception {
        CliRun snapshot = CliRun.of("snapshot", project.toString());
        assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
        assertThat(snapshot.out()).contains("[amlEnvSnapshot] building 127.0.0.1:5000/" + NAME + "-env:");

        CliRun train = CliRun.of("train", project.toString());
        assertThat(train.exitCode()).as(train.toString()).isZero();
        assertThat(train.out()).contains("on CPU, network none").contains("[gpuTrain] | device: cpu, 1 thread(s), torch ")
                .contains("[gpuTrain] | metric test_accuracy=").contains("(step 8)");

        CliRun scoring = CliRun.of("scoring-image", project.toString());
        assertThat(scoring.exitCode()).as(scoring.toString()).isZero();
        assertThat(scoring.out()).contains("[scoringImage] parity gate passed: 3 request(s) answered as recorded");

        CliRun deploy = CliRun.of("deploy", project.toString(), "--target", "local");
        assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
        String url = "http://127.0.0.1:" + port + "/score";
        assertThat(deploy.out()).contains("[aksDeploy] smoke test passed").contains("scoring URL: " + url);

        Path ws = project.resolve(".powerai");
        Map<String, Object> snapshotResult = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
        Map<String, Object> training = Json.readObject(ws.resolve("gpuTrain.json"));
        Map<String, Object> scoringResult = Json.readObject(ws.resolve("scoringImage.json"));
        Map<String, Object> deployResult = Json.readObject(ws.resolve("aksDeploy.json"));
        assertThat(String.valueOf(snapshotResult.get("baseImage"))).contains("powerai/python-torch");
        assertThat(training.get("image")).isEqualTo(snapshotResult.get("image"));
        assertThat(deployResult.get("image")).isEqualTo(scoringResult.get("image"));

        // A CNN that learned the shapes; its TorchScript file and the recorded answers are the only outputs.
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) training.get("metrics");
        assertThat(((Number) metrics.get("test_accuracy")).doubleValue()).isGreaterThan(0.9);
        assertThat(((Number) metrics.get("loss")).doubleValue()).isLessThan(0.2);
        @SuppressWarnings("unchecked")
        Map<String, Object> outputs = (Map<String, Object>) training.get("outputs");
        assertThat(outputs).containsOnlyKeys("model.pt", "parity.json");
        assertThat(scoringResult.get("modelSha256")).isEqualTo(outputs.get("model.pt"));
        assertThat(scoringResult.get("parity")).asString().contains("checked=3");

        // The service: the sample's classes exactly, its probabilities within the parity gate's tolerance.
        HttpResponse<String> answer = LocalInfrastructure.post(url, Files.readString(project.resolve("sample-request.json")));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Object expected = Json.mapper().readValue(Files.readString(project.resolve("sample-response.json")), Object.class);
        Object actual = Json.mapper().readValue(answer.body(), Object.class);
        assertThat(Parity.differences(expected, actual, 1e-6)).isEmpty();
        assertThat(((Map<?, ?>) actual).get("predictions")).isEqualTo(List.of("circle", "cross", "square", "triangle"));

        // score.py says what is wrong with a request, as HTTP 400.
        HttpResponse<String> wrongShape = LocalInfrastructure.post(url, "{\"data\": [[1, 2, 3]]}");
        assertThat(wrongShape.statusCode()).isEqualTo(400);
        assertThat(wrongShape.body()).contains("every image must be 28 rows of 28 numbers");

        CliRun verified = CliRun.of("audit", "verify", project.toString());
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("audit: OK, 4 record(s)");
    }
}
