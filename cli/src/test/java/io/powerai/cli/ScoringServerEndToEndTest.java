package io.powerai.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scoring image on the real engine and registry: one project (a tiny "model" that scales numbers, a score.py
 * that can be told to fail in each way) goes through snapshot, training and scoring-image once, with a secret in
 * the command's environment and in its git remote; the pushed image is then started once and shared by the
 * tests of the server's contract. The failing variants (init() raises, answers differ from the recorded ones)
 * reuse the same training results in copies of the project.
 */
class ScoringServerEndToEndTest {
    private static final String SECRET = "s3cr3t-" + UUID.randomUUID();
    private static final String NAME = "scoring-e2e";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path tmp;
    static Path project;
    static Map<String, Object> scoring;
    static CliRun build;
    static String image;
    static String container;
    static String baseUrl;
    static final List<String> CONTAINERS = new ArrayList<>();

    static final String TRAIN = """
            import json, os
            out = os.environ["POWERAI_OUTPUTS"]
            model = {"scale": 2.5}
            json.dump(model, open(os.path.join(out, "model.json"), "w"))
            requests = [{"x": [1, 2]}, {"x": [0.1, -3.3]}]
            responses = [{"y": [v * model["scale"] for v in r["x"]], "n": len(r["x"]), "label": "ok"} for r in requests]
            json.dump({"requests": requests, "responses": responses}, open(os.path.join(out, "parity.json"), "w"))
            """;
    static final String SCORE = """
            import json, os, time
            model = None

            def init():
                global model
                time.sleep(float(os.environ.get("TEST_INIT_SECONDS", "0")))
                with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.json")) as f:
                    model = json.load(f)

            def run(raw_data):
                request = json.loads(raw_data)
                mode = request.get("mode")
                if mode == "fail":
                    raise RuntimeError("internal detail 7f3a")
                if mode == "bad":
                    raise ValueError("'x' must be a list of numbers")
                if mode == "set":
                    return {1, 2}
                if mode == "hang":
                    time.sleep(30)
                x = request["x"]
                return {"y": [v * model["scale"] for v in x], "n": len(x), "label": "ok"}
            """;

    @BeforeAll
    static void buildOnceWithASecretAround() throws Exception {
        LocalInfrastructure.require();
        project = Files.createDirectories(tmp.resolve(NAME));
        Files.writeString(project.resolve("train.py"), TRAIN);
        Files.writeString(project.resolve("score.py"), SCORE);
        Files.writeString(project.resolve("sample-request.json"), "{\"x\": [4]}\n");
        Files.writeString(project.resolve("sample-response.json"), "{\"y\": [10.0], \"n\": 1, \"label\": \"ok\"}\n");
        Files.writeString(project.resolve("powerai.yaml"), """
                name: %s
                environment:
                  base_image: %s
                train:
                  script: train.py
                  timeout: 2m
                score:
                  entry_script: score.py
                  model: model.json
                  sample_request: sample-request.json
                  expected_response: sample-response.json
                  workers: 2
                  scoring_timeout_ms: 1500
                  max_request_bytes: 4096
                """.formatted(NAME, LocalInfrastructure.BASE_IMAGE));
        // A git checkout whose remote URL carries a token, as CI checkouts often do.
        git("init", "-q");
        git("remote", "add", "origin", "https://ci-bot:" + SECRET + "@git.example/ml/scoring.git");
        git("add", "-A");
        git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "scoring test");

        // The command in a process of its own, so that the secret is in the real environment that docker inherits.
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", project.toString());
        // Registry credentials come as a pair (one alone is invalid input); the local registry asks for none.
        command.environment().putAll(Map.of("AZURE_CLIENT_SECRET", SECRET, "POWERAI_REGISTRY_USERNAME", "ci-bot",
                "POWERAI_REGISTRY_PASSWORD", SECRET));
        command.environment().remove("POWERAI_REGISTRY");
        command.environment().remove("POWERAI_ENGINE");
        Path out = tmp.resolve("build.out");
        Path err = tmp.resolve("build.err");
        Process process = command.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        build = new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
        assertThat(build.exitCode()).as(build.toString()).isZero();
        scoring = Json.readObject(project.resolve(".powerai/scoringImage.json"));
        image = String.valueOf(scoring.get("image"));
        int port = LocalInfrastructure.freePort();
        container = start(image, port, Map.of());
        baseUrl = "http://127.0.0.1:" + port;
        awaitReadyAt(baseUrl, container);
    }

    @AfterAll
    static void removeContainers() {
        CONTAINERS.forEach(c -> LocalInfrastructure.run("docker", "rm", "-f", c));
        if (gunicornImage != null) {
            LocalInfrastructure.run("docker", "rmi", gunicornImage);
        }
    }

    @Test
    void build_passesTheParityGate_recordsSizeServingAndSource() throws Exception {
        assertThat(build.out())
                .contains("[scoringImage] parity gate passed: 3 request(s) answered as recorded (parity.json, sample-request.json)")
                .containsPattern("\\[scoringImage\\] image [0-9.]+ MB, [0-9.]+ kB over the snapshot image");
        @SuppressWarnings("unchecked")
        Map<String, Object> parity = (Map<String, Object>) scoring.get("parity");
        assertThat(parity).containsEntry("checked", 3).containsEntry("compared", 3).containsEntry("tolerance", 1e-6);
        long size = ((Number) scoring.get("imageSizeBytes")).longValue();
        long overhead = ((Number) scoring.get("overheadBytes")).longValue();
        assertThat(overhead).isPositive().isLessThan(1_000_000);
        assertThat(size).isEqualTo(((Number) scoring.get("snapshotImageSizeBytes")).longValue() + overhead);
        assertThat(((Number) scoring.get("startToFirstScoreMillis")).longValue()).isPositive();
        assertThat(scoring.get("source")).isEqualTo("https://git.example/ml/scoring.git");
        assertThat(scoring.get("revision")).isEqualTo(git("rev-parse", "HEAD"));

        JsonNode config = inspect(image).get("Config");
        JsonNode labels = config.get("Labels");
        assertThat(labels.get("org.opencontainers.image.source").asText()).isEqualTo("https://git.example/ml/scoring.git");
        assertThat(labels.get("org.opencontainers.image.revision").asText()).isEqualTo(scoring.get("revision"));
        assertThat(labels.get("io.powerai.model.sha256").asText()).isEqualTo(scoring.get("modelSha256"));
        Map<String, Object> snapshot = Json.readObject(project.resolve(".powerai/amlEnvSnapshot.json"));
        assertThat(labels.get("io.powerai.snapshot-id").asText()).isEqualTo(snapshot.get("snapshotId"));
        assertThat(config.get("User").asText()).isEqualTo("65534:65534");
        assertThat(config.get("ExposedPorts").size()).isEqualTo(1);
        assertThat(config.get("Env").toString()).contains("WORKER_COUNT=2").contains("POWERAI_SCORING_TIMEOUT_MS=1500");
    }

    @Test
    void secretInTheEnvironmentAndGitRemote_isInNoLayerLabelResultOrLog() throws Exception {
        assertThat(build.out() + build.err()).doesNotContain(SECRET);
        assertThat(run("docker", "image", "inspect", image)).doesNotContain(SECRET).contains("git.example/ml/scoring.git");
        assertThat(run("docker", "history", "--no-trunc", image)).doesNotContain(SECRET);
        try (Stream<Path> files = Files.walk(project.resolve(".powerai"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(text.lines().filter(l -> l.contains(SECRET))).as(file.toString()).isEmpty();
            }
        }
        // Every byte of every layer (docker save writes them uncompressed): the secret is in none.
        Process save = new ProcessBuilder("docker", "save", image).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long scanned;
        try (InputStream in = save.getInputStream()) {
            scanned = assertNotIn(in, SECRET.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(save.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(save.exitValue()).isZero();
        assertThat(scanned).isGreaterThan(((Number) scoring.get("imageSizeBytes")).longValue() / 2);
    }

    @Test
    void routes_liveness_readiness_swagger_score() throws Exception {
        assertThat(get("/").body()).isEqualTo("Healthy");
        assertThat(get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> swagger = get("/swagger.json");
        assertThat(swagger.statusCode()).isEqualTo(200);
        JsonNode doc = Json.mapper().readTree(swagger.body());
        assertThat(doc.get("swagger").asText()).isEqualTo("2.0");
        assertThat(doc.at("/paths/~1score/post/operationId").asText()).isEqualTo("RunMLService");
        assertThat(doc.at("/definitions/ServiceInput/example")).isEqualTo(Json.mapper().readTree("{\"x\": [4]}"));
        assertThat(doc.at("/definitions/ServiceOutput/properties/y/type").asText()).isEqualTo("array");

        HttpResponse<String> answer = post("{\"x\": [4]}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(answer.body())).isEqualTo(Json.mapper().readTree("{\"y\": [10.0], \"n\": 1, \"label\": \"ok\"}"));
        assertThat(answer.headers().firstValue("x-ms-request-id")).isPresent();
    }

    @Test
    void runRaises_500_withRequestId_noTrace_traceInTheContainerLog() throws Exception {
        HttpResponse<String> answer = post("{\"mode\": \"fail\"}");

        assertThat(answer.statusCode()).isEqualTo(500);
        JsonNode body = Json.mapper().readTree(answer.body());
        String requestId = body.get("requestId").asText();
        assertThat(answer.headers().firstValue("x-ms-request-id")).contains(requestId);
        assertThat(body.get("error").asText()).contains("run() raised RuntimeError");
        assertThat(answer.body()).doesNotContain("Traceback").doesNotContain("internal detail 7f3a").doesNotContain("score.py");
        String log = awaitLog(container, "internal detail 7f3a");
        assertThat(log).contains("run() failed (requestId " + requestId + ")").contains("Traceback");
        assertThat(log.lines().filter(l -> l.contains("\"requestId\": \"" + requestId + "\"") && l.contains("\"status\": 500")))
                .as("one structured line for the request").hasSize(1);
    }

    @Test
    void badInput_400_forValueError_KeyError_invalidJson_nonUtf8() throws Exception {
        HttpResponse<String> valueError = post("{\"mode\": \"bad\"}");
        assertThat(valueError.statusCode()).isEqualTo(400);
        assertThat(valueError.body()).contains("ValueError: 'x' must be a list of numbers").contains("requestId");

        assertThat(post("{\"y\": 1}").body()).contains("KeyError");
        assertThat(post("{\"y\": 1}").statusCode()).isEqualTo(400);
        assertThat(post("{not json").statusCode()).isEqualTo(400);
        assertThat(post("").statusCode()).isEqualTo(400);
        HttpResponse<String> binary = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/score"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00})).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(binary.statusCode()).isEqualTo(400);
        assertThat(binary.body()).contains("not UTF-8");
    }

    @Test
    void runReturnsSomethingNotJson_500() throws Exception {
        HttpResponse<String> answer = post("{\"mode\": \"set\"}");

        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.body()).contains("cannot be encoded as JSON").contains("requestId");
    }

    @Test
    void runHangsPastTheTimeout_504_thenTheNextRequestIsServed() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> answer = post("{\"mode\": \"hang\"}");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(answer.statusCode()).isEqualTo(504);
        assertThat(answer.body()).contains("did not finish within scoring_timeout_ms=1500").contains("requestId");
        assertThat(millis).isBetween(1400L, 10_000L);
        for (int i = 0; i < 4; i++) { // both workers, whichever took the hanging request
            assertThat(post("{\"x\": [" + i + "]}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void bodyOverTheLimit_413() throws Exception {
        String big = "{\"x\": [" + "1,".repeat(3000) + "1]}";

        HttpResponse<String> answer = post(big);

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.body()).contains("over the limit of 4096 bytes");
        assertThat(post("{\"x\": [1]}").statusCode()).isEqualTo(200);
    }

    @Test
    void malformedHttp_400_andTheServerGoesOn() throws Exception {
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("POST /score HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "8\r\n{\"x\": [2\r\n2\r\n]}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("{\"y\": [5.0]");
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);
    }

    /**
     * Issue 14's hostile requests against a running container (findings 1, 7 and 9): each is answered or closed,
     * no worker dies, the container neither stops nor restarts, and the service scores afterwards.
     */
    @Test
    void hostileRequests_answeredOrClosed_noWorkerDies_theServiceStillScores() throws Exception {
        int port = LocalInfrastructure.freePort();
        String hostile = start(image, port, Map.of("POWERAI_MAX_REQUEST_BYTES", "1048576"));
        String url = "http://127.0.0.1:" + port;
        awaitReadyAt(url, hostile);

        for (int i = 0; i < 25; i++) { // the old server lost a worker to each, and stopped after 20
            assertThat(HostileClients.exchange(port, "POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: \u00b2\r\n\r\n{}"))
                    .startsWith("HTTP/1.1 400");
        }
        assertThat(HostileClients.exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431");
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThat(HostileClients.exchange(port, "POST /score HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                + deep.length() + "\r\n\r\n" + deep)).startsWith("HTTP/1.1 400").contains("nests deeper than");
        assertThat(HostileClients.exchange(port, "GET / HTTP/1.1\nHost: x\n\n")).startsWith("HTTP/1.1 400");
        assertThat(HostileClients.exchange(port, "POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0x3_c\r\n" + "{\"a\": \"" + "x".repeat(52) + "\"}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400");

        List<Socket> flooders = HostileClients.floodWithoutReading(port, 2, 60_000);
        try {
            Thread.sleep(500);
            long slowest = 0;
            for (int i = 0; i < 20; i++) {
                long started = System.nanoTime();
                HttpResponse<String> answer = LocalInfrastructure.post(url + "/score", "{\"x\": [" + i + "]}");
                slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
                assertThat(answer.statusCode()).isEqualTo(200);
            }
            assertThat(slowest).as("ms for the slowest answer while two clients flood").isLessThan(1000);
            assertThat(awaitLog(hostile, "dropping a client that takes none of its answers"))
                    .contains("dropping a client that takes none of its answers");
        } finally {
            for (Socket socket : flooders) {
                socket.close();
            }
        }

        assertThat(LocalInfrastructure.post(url + "/score", "{\"x\": [4]}").body()).contains("10.0");
        assertThat(run("docker", "inspect", "--format", "{{.State.Running}} {{.RestartCount}}", hostile).strip()).isEqualTo("true 0");
        assertThat(run("docker", "logs", hostile)).doesNotContain("worker died").doesNotContain("request handling failed");
    }

    @Test
    void concurrentClients_allAnsweredCorrectly() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int client = 0; client < 8; client++) {
                int c = client;
                Callable<Integer> task = () -> {
                    HttpClient own = HttpClient.newHttpClient(); // a connection (pool) per client
                    int ok = 0;
                    for (int i = 0; i < 25; i++) {
                        int value = c * 1000 + i;
                        HttpResponse<String> answer = own.send(HttpRequest.newBuilder(URI.create(baseUrl + "/score"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"x\": [" + value + "]}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        JsonNode body = Json.mapper().readTree(answer.body());
                        if (answer.statusCode() == 200 && body.get("y").get(0).asDouble() == value * 2.5) {
                            ok++;
                        }
                    }
                    return ok;
                };
                results.add(pool.submit(task));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(25);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readiness_503WhileInitRuns_scoreRequestsWaitForInit() throws Exception {
        int port = LocalInfrastructure.freePort();
        String slow = start(image, port, Map.of("TEST_INIT_SECONDS", "2", "WORKER_COUNT", "1"));
        String url = "http://127.0.0.1:" + port;
        int status = 0;
        for (int i = 0; i < 100 && status != 503; i++) {
            try {
                status = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        assertThat(status).as("/health while init() sleeps").isEqualTo(503);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url + "/")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .isEqualTo("Healthy");
        HttpResponse<String> early = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/score"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\": [2]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(early.statusCode()).isEqualTo(200);
        assertThat(early.body()).contains("5.0");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        LocalInfrastructure.run("docker", "rm", "-f", slow);
    }

    @Test
    void endpointKeys_fromTheEnvironment_401WithoutOrWithAWrongKey_200WithEither_probesOpen_keysInNoLog() throws Exception {
        int port = LocalInfrastructure.freePort();
        String keyed = start(image, port, Map.of("WORKER_COUNT", "1"), List.of("--env-file", keysEnvFile().toString()));
        String url = "http://127.0.0.1:" + port;
        awaitReadyAt(url, keyed);

        assertKeysEnforced(url);
        assertThat(run("docker", "logs", keyed)).contains("\"endpointKeys\": 2").doesNotContain(PRIMARY_KEY).doesNotContain(SECONDARY_KEY);
    }

    // --- gunicorn: an image FROM the scoring image with Debian's gunicorn, started by the image's own command

    @Test
    void gunicorn_autoDetected_configuredWorkers_scoreHealthSwagger_keysEnforced() throws Exception {
        String url = gunicornUrl();

        String log = awaitLog(gunicornContainer, "\"event\": \"ready\"");
        assertThat(log.lines().filter(l -> l.contains("\"event\": \"listening\"")))
                .singleElement().asString().contains("\"server\": \"gunicorn\"").contains("\"workers\": 2")
                .contains("\"endpointKeys\": 2");
        List<String> workers = readyWorkers(gunicornContainer);
        for (int i = 0; i < 100 && workers.size() < 2; i++) {
            Thread.sleep(100);
            workers = readyWorkers(gunicornContainer);
        }
        assertThat(workers).as("one init() per configured worker").hasSize(2);
        assertThat(run("docker", "top", gunicornContainer).lines().filter(l -> l.contains("powerai_server.py")))
                .as("gunicorn's master and its 2 workers").hasSize(3);

        assertThat(request(url, "GET", "/", null, null).body()).isEqualTo("Healthy");
        assertThat(request(url, "GET", "/health", null, null).statusCode()).isEqualTo(200);
        assertThat(request(url, "GET", "/swagger.json", null, "Bearer " + PRIMARY_KEY).statusCode()).isEqualTo(200);
        HttpResponse<String> answer = request(url, "POST", "/score", "{\"x\": [4]}", "Bearer " + PRIMARY_KEY);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(answer.body())).isEqualTo(Json.mapper().readTree("{\"y\": [10.0], \"n\": 1, \"label\": \"ok\"}"));
        assertThat(answer.headers().firstValue("x-ms-request-id")).isPresent();
        assertKeysEnforced(url);
        assertThat(run("docker", "logs", gunicornContainer)).doesNotContain(PRIMARY_KEY).doesNotContain(SECONDARY_KEY);
    }

    @Test
    void gunicorn_errorsMappedWithRequestIds_timeoutHonoured_sizeLimit() throws Exception {
        String url = gunicornUrl();
        String key = "Bearer " + SECONDARY_KEY;

        HttpResponse<String> bad = request(url, "POST", "/score", "{\"mode\": \"bad\"}", key);
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode badBody = Json.mapper().readTree(bad.body());
        assertThat(badBody.get("error").asText()).contains("ValueError: 'x' must be a list of numbers");
        assertThat(bad.headers().firstValue("x-ms-request-id")).contains(badBody.get("requestId").asText());

        HttpResponse<String> failed = request(url, "POST", "/score", "{\"mode\": \"fail\"}", key);
        assertThat(failed.statusCode()).isEqualTo(500);
        String requestId = Json.mapper().readTree(failed.body()).get("requestId").asText();
        assertThat(failed.headers().firstValue("x-ms-request-id")).contains(requestId);
        assertThat(failed.body()).contains("run() raised RuntimeError").doesNotContain("internal detail 7f3a").doesNotContain("Traceback");
        assertThat(awaitLog(gunicornContainer, "internal detail 7f3a")).contains("run() failed (requestId " + requestId + ")");

        long started = System.nanoTime();
        HttpResponse<String> hung = request(url, "POST", "/score", "{\"mode\": \"hang\"}", key);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(hung.statusCode()).isEqualTo(504);
        assertThat(hung.body()).contains("did not finish within scoring_timeout_ms=1500").contains("requestId");
        assertThat(millis).isBetween(1400L, 10_000L);
        for (int i = 0; i < 4; i++) {
            assertThat(request(url, "POST", "/score", "{\"x\": [" + i + "]}", key).statusCode()).isEqualTo(200);
        }

        HttpResponse<String> big = request(url, "POST", "/score", "{\"x\": [" + "1,".repeat(3000) + "1]}", key);
        assertThat(big.statusCode()).isEqualTo(413);
    }

    @Test
    void initRaises_stageFails_withTheError_containerLogKept_nothingPushed() throws Exception {
        Path copy = copyProject("init-fails");
        Files.writeString(copy.resolve("score.py"), "def init():\n    raise FileNotFoundError('no model at /nowhere/model.json')\n"
                + "def run(raw_data):\n    return raw_data\n");

        CliRun run = CliRun.of("scoring-image", copy.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("scoringImage: the scoring container stopped before it was ready")
                .contains("init() failed: FileNotFoundError: no model at /nowhere/model.json")
                .contains("was not pushed").contains("container log kept at").doesNotContain("\tat ");
        String log = Files.readString(copy.resolve(".powerai/score/smoke-test.log"));
        assertThat(log).contains("Traceback").contains("FileNotFoundError: no model at /nowhere/model.json");
        assertThat(LocalInfrastructure.manifestDigest(NAME + "-score", imageIdOf(copy))).isEmpty();
    }

    @Test
    void answersDifferFromTheRecordedOnes_exit1_readableDiff_nothingPushed() throws Exception {
        Path copy = copyProject("parity-fails");
        Files.writeString(copy.resolve("score.py"), SCORE.replace("\"label\": \"ok\"", "\"label\": \"ok\" if len(x) < 2 else \"changed\"")
                .replace("v * model[\"scale\"]", "v * model[\"scale\"] * 1.001"));

        CliRun run = CliRun.of("scoring-image", copy.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err())
                .contains("scoringImage: parity gate failed: 3 of 3 recorded answers differ")
                .contains("was not pushed")
                .contains("scoringImage: parity: parity.json request 1 $.label: expected \"ok\", got \"changed\"")
                .contains("scoringImage: parity: parity.json request 1 $.y[0]: expected 2.5, got 2.502")
                .contains("(relative difference 0.000999 > tolerance 1.0E-6)")
                .contains("scoringImage: parity: sample-request.json $.y[0]: expected 10.0, got 10.0")
                .doesNotContain("\tat ");
        assertThat(Files.readString(copy.resolve(".powerai/score/parity-diff.txt"))).contains("$.y[1]");
        String imageId = imageIdOf(copy);
        assertThat(run("docker", "image", "inspect", "--format", "{{.Id}}", "127.0.0.1:5000/" + NAME + "-score:" + imageId))
                .as("built locally").startsWith("sha256:");
        assertThat(LocalInfrastructure.manifestDigest(NAME + "-score", imageId)).as("not in the registry").isEmpty();

        // A tolerance wide enough for the floats lets the floats by, never the changed class label.
        Files.writeString(copy.resolve("powerai.yaml"), Files.readString(copy.resolve("powerai.yaml")) + "  parity_tolerance: 0.01\n");
        CliRun tolerant = CliRun.of("scoring-image", copy.toString());
        assertThat(tolerant.exitCode()).isEqualTo(1);
        assertThat(tolerant.err()).contains("2 of 3 recorded answers differ").doesNotContain("$.y[0]").contains("$.label");
    }

    // --- helpers

    static final String PRIMARY_KEY = "pk-" + UUID.randomUUID();
    static final String SECONDARY_KEY = "sk-" + UUID.randomUUID();
    static String gunicornImage;
    static String gunicornContainer;
    static String gunicornBaseUrl;

    /** The keys in a file for docker run --env-file: not on a command line, as the kubelet passes a secretKeyRef. */
    private static Path keysEnvFile() throws IOException {
        Path file = tmp.resolve("keys.env");
        if (!Files.exists(file)) {
            Files.writeString(file, "POWERAI_PRIMARY_KEY=" + PRIMARY_KEY + "\nPOWERAI_SECONDARY_KEY=" + SECONDARY_KEY + "\n");
        }
        return file;
    }

    private static void assertKeysEnforced(String url) throws Exception {
        HttpResponse<String> none = request(url, "POST", "/score", "{\"x\": [1]}", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        JsonNode body = Json.mapper().readTree(none.body());
        assertThat(body.get("error").asText()).contains("Authorization: Bearer");
        assertThat(none.headers().firstValue("x-ms-request-id")).contains(body.get("requestId").asText());
        HttpResponse<String> wrong = request(url, "POST", "/score", "{\"x\": [1]}", "Bearer " + PRIMARY_KEY.substring(1));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).contains("Bearer error=\"invalid_token\"");
        assertThat(request(url, "GET", "/swagger.json", null, null).statusCode()).isEqualTo(401);

        assertThat(request(url, "POST", "/score", "{\"x\": [1]}", "Bearer " + PRIMARY_KEY).statusCode()).isEqualTo(200);
        assertThat(request(url, "POST", "/score", "{\"x\": [1]}", "Bearer " + SECONDARY_KEY).statusCode()).isEqualTo(200);
        assertThat(request(url, "GET", "/", null, null).statusCode()).as("liveness needs no key").isEqualTo(200);
        assertThat(request(url, "GET", "/health", null, null).statusCode()).as("readiness needs no key").isEqualTo(200);
    }

    /**
     * Builds, once, an image FROM the scoring image that adds Debian's gunicorn (apt-get from the Debian mirror,
     * host network, as bench/scoring-server.sh builds its bench image), and starts it with the image's own command
     * and settings (server auto, 2 workers, 1500 ms timeout, 4096 bytes), with endpoint keys.
     */
    private static synchronized String gunicornUrl() throws Exception {
        if (gunicornBaseUrl != null) {
            return gunicornBaseUrl;
        }
        Path context = Files.createDirectories(tmp.resolve("gunicorn-image"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + image + "\nUSER root\n"
                + "RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gunicorn"
                + " && rm -rf /var/lib/apt/lists/*\nUSER 65534:65534\n");
        gunicornImage = "powerai-test/" + NAME + "-gunicorn:" + String.valueOf(scoring.get("digest")).replace("sha256:", "").substring(0, 16);
        Process build = new ProcessBuilder("docker", "build", "--network", "host", "-t", gunicornImage, context.toString())
                .redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(10, TimeUnit.MINUTES)).isTrue();
        if (build.exitValue() != 0) {
            boolean mirrorUnreachable = out.contains("Temporary failure resolving") || out.contains("Could not resolve")
                    || out.contains("Failed to fetch") || out.contains("Unable to locate package gunicorn");
            Assumptions.assumeFalse(mirrorUnreachable, "needs the Debian mirror from a docker build (apt-get install gunicorn): " + out);
            throw new AssertionError("building the gunicorn image failed: " + out);
        }
        int port = LocalInfrastructure.freePort();
        gunicornContainer = start(gunicornImage, port, Map.of(), List.of("--env-file", keysEnvFile().toString()));
        gunicornBaseUrl = "http://127.0.0.1:" + port;
        awaitReadyAt(gunicornBaseUrl, gunicornContainer);
        return gunicornBaseUrl;
    }

    /** The process ids of the workers whose init() has finished, from the "ready" log lines. */
    private static List<String> readyWorkers(String name) {
        return run("docker", "logs", name).lines().filter(l -> l.contains("\"event\": \"ready\""))
                .map(l -> l.replaceAll(".*\"worker\": ([0-9]+).*", "$1")).distinct().toList();
    }

    private static HttpResponse<String> request(String url, String method, String path, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path copyProject(String name) throws IOException {
        Path copy = tmp.resolve(name);
        LocalInfrastructure.copyTree(project, copy);
        LocalInfrastructure.copyTree(project.resolve(".powerai"), copy.resolve(".powerai"));
        return copy;
    }

    private static String imageIdOf(Path projectDir) throws IOException {
        String dockerfile = Files.readString(projectDir.resolve(".powerai/score/context/Dockerfile"));
        int at = dockerfile.indexOf("io.powerai.scoring-image-id=\"") + "io.powerai.scoring-image-id=\"".length();
        return dockerfile.substring(at, at + 64);
    }

    private static String start(String image, int port, Map<String, String> env) {
        return start(image, port, env, List.of());
    }

    private static String start(String image, int port, Map<String, String> env, List<String> options) {
        String name = "powerai-test-" + NAME + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> command = new ArrayList<>(List.of("docker", "run", "-d", "--name", name, "--network", "host",
                "-e", "PORT=" + port, "-e", "HOST=127.0.0.1"));
        env.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
        command.addAll(options);
        command.add(image);
        CONTAINERS.add(name);
        String out = run(command.toArray(String[]::new));
        assertThat(out).as("docker run").doesNotContain("Error");
        return name;
    }

    private static void awaitReadyAt(String url, String name) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the scoring container on " + url + " did not get ready: " + run("docker", "logs", name));
    }

    private static String awaitLog(String name, String fragment) throws InterruptedException {
        String log = "";
        for (int i = 0; i < 200 && !log.contains(fragment); i++) {
            Thread.sleep(100);
            log = run("docker", "logs", name);
        }
        return log;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return LocalInfrastructure.post(baseUrl + "/score", body);
    }

    /** Sends {@code request} as it is on a socket of its own and returns what came back. */
    private static String raw(String request) throws IOException {
        int port = Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static JsonNode inspect(String image) throws IOException {
        return Json.mapper().readTree(run("docker", "image", "inspect", image)).get(0);
    }

    private static String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", project.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(120, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Streams {@code in} looking for {@code needle} (also across buffer boundaries); returns the bytes read. */
    private static long assertNotIn(InputStream in, byte[] needle) throws IOException {
        byte[] buffer = new byte[1 << 20];
        byte[] window = new byte[buffer.length + needle.length];
        int carried = 0;
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            System.arraycopy(buffer, 0, window, carried, n);
            int length = carried + n;
            for (int i = 0; i + needle.length <= length; i++) {
                if (window[i] == needle[0] && java.util.Arrays.equals(window, i, i + needle.length, needle, 0, needle.length)) {
                    throw new AssertionError("the secret is in the saved image at byte " + (total - carried + i));
                }
            }
            int keep = Math.min(needle.length - 1, length);
            System.arraycopy(window, length - keep, window, 0, keep);
            carried = keep;
            total += n;
        }
        return total;
    }
}
