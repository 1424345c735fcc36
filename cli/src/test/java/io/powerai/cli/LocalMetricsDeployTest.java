package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local deployment publishes the scoring server's GET /metrics on 127.0.0.1 at deploy.metrics_port (default:
 * the deploy port + 1), on the real docker engine. The image is the base image with powerai_server.py and a tiny
 * entry script (built here in seconds, not by the scoringImage stage), served by the built-in server with two
 * workers. After a known mix of requests the exposition is read with Debian's prometheus_client parser
 * (/usr/bin/python3), and the metrics port is checked to answer on 127.0.0.1 only.
 */
class LocalMetricsDeployTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Prints {"name{label=value,...}": value, ...} for the exposition on stdin, parsed by prometheus_client. */
    private static final String PARSE = String.join("\n",
            "import json, sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "out = {}",
            "for family in text_string_to_metric_families(sys.stdin.read()):",
            "    for s in family.samples:",
            "        out[s.name + '{' + ','.join('%s=%s' % kv for kv in sorted(s.labels.items())) + '}'] = s.value",
            "print(json.dumps(out))");

    private final String name = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
    private final String image = "powerai-test/" + name + ":1";

    @TempDir
    Path project;

    @AfterEach
    void cleanUp() {
        LocalInfrastructure.run("docker", "rm", "-f", "powerai-" + name);
        LocalInfrastructure.run("docker", "rmi", "-f", image);
    }

    @Test
    void localDeploy_servesMetricsOnLoopbackAtPortPlusOne_scrapedAndParsedAfterRequests() throws Exception {
        LocalInfrastructure.require();
        Assumptions.assumeTrue(parserAvailable(), "needs /usr/bin/python3 with python3-prometheus-client (Debian)");
        int port = freePortPair();
        buildImage();
        Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy: {target: local, port: " + port + "}\n");

        CliRun run = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "deploy", "--image", image, project.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String metricsUrl = "http://127.0.0.1:" + (port + 1) + "/metrics";
        assertThat(run.out()).contains("metrics URL: " + metricsUrl);
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).containsEntry("metricsUrl", metricsUrl);
        String score = "http://127.0.0.1:" + port + "/score";
        for (int i = 0; i < 5; i++) {
            assertThat(LocalInfrastructure.post(score, "{\"x\": " + i + "}").statusCode()).isEqualTo(200);
        }
        assertThat(LocalInfrastructure.post(score, "{\"y\": 1}").statusCode()).isEqualTo(400); // KeyError: bad input
        assertThat(LocalInfrastructure.post(score, "not json").statusCode()).isEqualTo(400);

        HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        Map<String, Object> samples = Json.parseObject(parse(scrape.body()));
        assertThat(number(samples, "powerai_requests_total{route=/score,status=200}")).isEqualTo(5);
        assertThat(number(samples, "powerai_requests_total{route=/score,status=400}")).isEqualTo(2);
        assertThat(number(samples, "powerai_request_duration_seconds_count{route=/score}")).isEqualTo(7);
        assertThat(number(samples, "powerai_run_exceptions_total{type=KeyError}")).isEqualTo(1);
        assertThat(number(samples, "powerai_run_exceptions_total{type=JSONDecodeError}")).isEqualTo(1);
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("powerai_model_load_seconds{worker="));

        // Host networking: the server's sockets are the host's, so the metrics port must not answer elsewhere.
        InetAddress external = externalAddress();
        if (external != null) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external, port + 1), 2000);
                throw new AssertionError("the metrics port answers on " + external.getHostAddress() + ", not only on 127.0.0.1");
            } catch (java.io.IOException refused) {
                // expected: nothing listens there
            }
        }
    }

    @Test
    void defaultMetricsPortTaken_deploysWithoutMetrics_butAGivenOneTaken_isExit3() throws Exception {
        LocalInfrastructure.require();
        int port = freePortPair();
        buildImage();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(port + 1, 1, InetAddress.getByName("127.0.0.1"))) {
            Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy: {target: local, port: " + port + "}\n");
            CliRun run = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "deploy", "--image", image, project.toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out() + run.err()).contains("no /metrics: port " + (port + 1) + " on 127.0.0.1 (deploy.port + 1) is taken");
            assertThat(run.out()).doesNotContain("metrics URL");
            assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).doesNotContainKey("metricsUrl");
            assertThat(LocalInfrastructure.post("http://127.0.0.1:" + port + "/score", "{\"x\": 1}").statusCode()).isEqualTo(200);

            Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy: {target: local, port: " + port
                    + ", metrics_port: " + (port + 1) + "}\n");
            CliRun given = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "deploy", "--image", image, project.toString());
            assertThat(given.exitCode()).as(given.toString()).isEqualTo(3);
            assertThat(given.err()).contains("port " + (port + 1) + " on 127.0.0.1 (deploy.metrics_port, for /metrics) is taken");
        }
    }

    /** The base image with powerai_server.py and a tiny entry script, served by the built-in server with 2 workers. */
    private void buildImage() throws Exception {
        Path context = Files.createDirectories(project.resolve("image"));
        Files.copy(LocalInfrastructure.repoRoot().resolve("scoring-server/powerai_server.py"), context.resolve("powerai_server.py"));
        Files.writeString(context.resolve("score.py"), String.join("\n",
                "import json",
                "def init():",
                "    pass",
                "def run(raw_data):",
                "    data = json.loads(raw_data)",
                "    return {'echo': data['x']}",
                ""));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + LocalInfrastructure.BASE_IMAGE + "\n"
                + "COPY powerai_server.py score.py /app/\nWORKDIR /app\n"
                + "ENV AZUREML_ENTRY_SCRIPT=/app/score.py POWERAI_SERVER=builtin WORKER_COUNT=2 PYTHONUNBUFFERED=1\n"
                + "CMD [\"python3\", \"/app/powerai_server.py\"]\n");
        assertThat(command(300, "docker", "build", "-q", "-t", image, context.toString())).isZero();
    }

    private static double number(Map<String, Object> samples, String key) {
        assertThat(samples).as("sample " + key).containsKey(key);
        return ((Number) samples.get(key)).doubleValue();
    }

    /** Two consecutive free ports: the deploy port and the default metrics port after it. */
    private static int freePortPair() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = LocalInfrastructure.freePort();
            if (port < 65535 && free(port + 1)) {
                return port;
            }
        }
        throw new AssertionError("no two consecutive free ports found");
    }

    private static boolean free(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static InetAddress externalAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return address;
                }
            }
        }
        return null;
    }

    private static boolean parserAvailable() {
        try {
            return command(30, PYTHON, "-c", "import prometheus_client.parser") == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static String parse(String exposition) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", PARSE).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("prometheus_client parser: " + exposition).isZero();
        return out;
    }

    private static int command(int timeoutSeconds, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
