package io.powerai.core.dev;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Waits until the notebook server answers {@code GET /api/status} with the token; fails early when its container stops. */
final class JupyterProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final long PAUSE_MILLIS = 200;
    private static final long CONTAINER_CHECK_NANOS = 1_000_000_000L;

    private JupyterProbe() {
    }

    static void awaitReady(String url, String token, Duration timeout, ContainerEngine engine, String container) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextContainerCheck = System.nanoTime() + CONTAINER_CHECK_NANOS;
        // The token travels in a header: a URL's query could end up in a log.
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "api/status")).header("Authorization", "token " + token)
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PowerAiException.StageFailed.bare("interrupted while waiting for " + url);
            }
            if (System.nanoTime() - nextContainerCheck >= 0) {
                if (!engine.isRunning(container)) {
                    throw stopped(url, engine.logs(container));
                }
                nextContainerCheck = System.nanoTime() + CONTAINER_CHECK_NANOS;
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PowerAiException.StageFailed.bare("interrupted while waiting for " + url);
            }
        }
        throw PowerAiException.StageFailed.bare("Jupyter did not answer on " + url + " within "
                + timeout.toSeconds() + " s; its log: " + lastLine(engine.logs(container)));
    }

    /** A port taken between the check and the start is the machine's problem (exit 3); anything else, the server's. */
    static PowerAiException stopped(String url, List<String> log) {
        String last = lastLine(log);
        if (log.stream().anyMatch(l -> l.contains("is already in use") || l.contains("Address already in use"))) {
            return PowerAiException.InfrastructureUnavailable.bare("the port of " + url
                    + " is taken by another program; free it or choose another with --port (" + last + ")");
        }
        return PowerAiException.StageFailed.bare("the Jupyter container stopped before it answered on "
                + url + ": " + last);
    }

    static String lastLine(List<String> log) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (!log.get(i).isBlank()) {
                return log.get(i).strip();
            }
        }
        return "(no output)";
    }
}
