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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Talks to a running scoring container: waits until it is live, sends the sample request, and compares the
 * answer with the expected one. Shared by the scoring-image smoke test and the deployment.
 */
final class ScoringProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The answer to a scoring request. */
    record Answer(int status, String body) {
    }

    private ScoringProbe() {
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls {@code GET /} until it answers 200. Fails early when the container stops (its init() raised), and
     * at the timeout; the caller keeps the container's logs.
     */
    static void awaitLive(String baseUrl, Duration timeout, ContainerEngine engine, String container, String stage) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/")).timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PowerAiException.StageFailed(stage + ": interrupted while waiting for " + baseUrl);
            }
            if (!engine.isRunning(container)) {
                throw new PowerAiException.StageFailed(stage + ": the scoring container stopped before it answered on "
                        + baseUrl + " (init() failed?)");
            }
            sleep(100);
        }
        throw new PowerAiException.StageFailed(stage + ": the scoring container did not answer GET / on " + baseUrl
                + " within " + timeout.toSeconds() + " s");
    }

    static Answer score(String baseUrl, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/score"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new PowerAiException.StageFailed("POST " + baseUrl + "/score failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.StageFailed("interrupted while scoring on " + baseUrl);
        }
    }

    /**
     * Sends the sample request and checks the answer: HTTP 200, JSON, and equal (as JSON values) to the
     * expected answer when there is one. Returns the answer's body.
     */
    static String smokeTest(String baseUrl, Path sampleRequest, Path expectedResponse, String stage) {
        String request;
        String expected = null;
        try {
            request = Files.readString(sampleRequest);
            if (expectedResponse != null) {
                expected = Files.readString(expectedResponse);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample request: " + e.getMessage(), e);
        }
        Answer answer = score(baseUrl, request);
        if (answer.status() != 200) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: POST /score answered HTTP " + answer.status()
                    + ": " + oneLine(answer.body()));
        }
        Object actualJson = parse(answer.body(), stage, "the scoring answer");
        if (expected != null && !Objects.equals(actualJson, parse(expected, stage, "expected_response"))) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: the answer to " + sampleRequest.getFileName()
                    + " differs from " + expectedResponse.getFileName() + ": expected " + oneLine(Json.canonical(parse(expected, stage, "")))
                    + ", got " + oneLine(Json.canonical(actualJson)));
        }
        return answer.body();
    }

    private static Object parse(String json, String stage, String what) {
        try {
            return Json.mapper().readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: " + what + " is not JSON: " + oneLine(json));
        }
    }

    static String oneLine(String text) {
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
