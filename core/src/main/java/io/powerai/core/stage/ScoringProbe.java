package io.powerai.core.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Talks to a running scoring container: waits until it is live, sends the sample request, and compares the
 * answer with the expected one. Shared by the scoring-image smoke test and the deployment.
 */
public final class ScoringProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Readiness polls: 10 ms apart at first, backing off to 50 ms (a refused connection on loopback costs little). */
    static final long FIRST_PAUSE_MILLIS = 10;
    static final long MAX_PAUSE_MILLIS = 50;
    private static final long CONTAINER_CHECK_NANOS = 1_000_000_000L;

    /** The answer to a scoring request. */
    public record Answer(int status, String body) {
    }

    private ScoringProbe() {
    }

    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    public static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls {@code GET /health} until it answers 200: the scoring server listens and init() has finished (an image
     * whose server predates /health is ready when {@code GET /} answers 200). Fails early when the container stops,
     * or exits and is started again by its restart policy (init() raised: the message carries the error the server
     * logged), and at the timeout; the caller keeps the
     * container's logs.
     */
    public static void awaitLive(String baseUrl, Duration timeout, ContainerEngine engine, String container, String stage) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String path = "/health";
        long pause = FIRST_PAUSE_MILLIS;
        long nextContainerCheck = System.nanoTime() + CONTAINER_CHECK_NANOS;
        while (System.nanoTime() < deadline) {
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(2)).GET().build();
                int status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return;
                }
                if (status == 404 && path.equals("/health")) {
                    path = "/";
                    continue;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PowerAiException.StageFailed(stage + ": interrupted while waiting for " + baseUrl);
            }
            // Checking the container costs a process start (the engine's CLI), on the CPUs the container starts
            // on: once a second, not at every poll.
            if (System.nanoTime() - nextContainerCheck >= 0) {
                if (!engine.runsSinceStart(container)) {
                    throw new PowerAiException.StageFailed(stage + ": the scoring container stopped before it was ready on "
                            + baseUrl + ": " + initFailure(engine.logs(container)));
                }
                nextContainerCheck = System.nanoTime() + CONTAINER_CHECK_NANOS;
            }
            sleep(pause);
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 3 / 2);
        }
        if (!engine.runsSinceStart(container)) {
            throw new PowerAiException.StageFailed(stage + ": the scoring container stopped before it was ready on "
                    + baseUrl + ": " + initFailure(engine.logs(container)));
        }
        throw new PowerAiException.StageFailed(stage + ": the scoring container was not ready (GET /health) on " + baseUrl
                + " within " + timeout.toSeconds() + " s (is init() that slow?)");
    }

    /** The error that the scoring server logged when init() failed, from the container's log lines. */
    static String initFailure(List<String> logLines) {
        for (String line : logLines) {
            if (line.startsWith("{") && line.contains("\"init failed\"")) {
                try {
                    Map<String, Object> record = Json.parseObject(line);
                    return "init() failed: " + record.get("error");
                } catch (JsonProcessingException e) {
                    // not one of the server's lines
                }
            }
        }
        return "init() failed or the server did not start (see the container log)";
    }

    /** POST /score; {@code timeout} should exceed the server's scoring timeout, so that its 504 is what arrives. */
    public static Answer score(String baseUrl, String body, Duration timeout) {
        SmokeTransport.Answer answer = new LoopbackTransport(baseUrl).send(new SmokeTransport.Request("POST", "/score", body,
                Map.of("Content-Type", "application/json"), timeout));
        return new Answer(answer.status(), answer.body());
    }

    public static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
