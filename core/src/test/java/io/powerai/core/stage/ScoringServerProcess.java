package io.powerai.core.stage;

import io.powerai.core.stage.scoring.ScoringDockerfile;
import io.powerai.core.stage.scoring.ScoringImage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * powerai's scoring server ({@code powerai_server.py}, as the build ships it) run by this machine's python3 as a
 * plain process, on a free loopback port, for tests that need the real server but no container.
 */
public final class ScoringServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String baseUrl;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private ScoringServerProcess(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** Whether python3 (3.8 or later) runs here: the tests that need it skip, with this reason, when it does not. */
    public static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)")
                    .redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Writes the server into {@code dir} and starts it (built-in server, loopback) with {@code env} over a clean
     * environment; waits until {@code GET /health} answers 200. {@code readOutput} false leaves its stdout (a pipe)
     * unread until {@link #readOutput()}.
     */
    public static ScoringServerProcess start(Path dir, Map<String, String> env, boolean readOutput) throws IOException, InterruptedException {
        Path script = dir.resolve(ScoringDockerfile.SERVER_RESOURCE);
        if (!Files.exists(script)) {
            Files.write(script, ScoringImage.serverScript());
        }
        int port = ScoringProbe.freeLoopbackPort();
        ProcessBuilder command = new ProcessBuilder("python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> environment = command.environment();
        environment.keySet().removeIf(k -> k.startsWith("POWERAI_") || k.startsWith("AZUREML_") || k.equals("WORKER_COUNT"));
        environment.put("HOST", "127.0.0.1");
        environment.put("PORT", String.valueOf(port));
        environment.put("POWERAI_SERVER", "builtin");
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.putAll(env);
        ScoringServerProcess server = new ScoringServerProcess(command.start(), "http://127.0.0.1:" + port);
        if (readOutput) {
            server.readOutput();
        }
        server.awaitHealth();
        return server;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public long pid() {
        return process.pid();
    }

    /** The lines the server wrote to stdout so far (once {@link #readOutput()} runs). */
    public List<String> output() {
        return output;
    }

    public long linesContaining(String fragment) {
        return output.stream().filter(l -> l.contains(fragment)).count();
    }

    public void readOutput() {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the server stopped
            }
        }, "scoring-server-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until at least {@code count} output lines contain {@code fragment}. */
    public void awaitLines(String fragment, long count) throws InterruptedException {
        for (int i = 0; i < 500 && linesContaining(fragment) < count; i++) {
            Thread.sleep(20);
        }
        if (linesContaining(fragment) < count) {
            throw new AssertionError("fewer than " + count + " lines with " + fragment + " in " + output.size() + " lines");
        }
    }

    /** One request; {@code body} null sends none. */
    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitHealth() throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            try {
                if (send("GET", "/health", null, Map.of(), Duration.ofSeconds(5)).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("the scoring server exited with " + process.exitValue() + ": " + output);
            }
            Thread.sleep(20);
        }
        close();
        throw new AssertionError("the scoring server did not get ready: " + output);
    }

    /** SIGTERM (the master stops its workers), then waits; the reader keeps the last lines. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Thread.sleep(100);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
