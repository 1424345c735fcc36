package io.powerai.core.stage;

import io.powerai.core.PowerAiException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The smoke test's way to a scoring container that publishes its port on the host: plain HTTP to {@code baseUrl}. */
public final class LoopbackTransport implements SmokeTransport {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String baseUrl;

    public LoopbackTransport(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** {@code request} over plain HTTP to {@code baseUrl} with {@code http}: what both loopback and port-forward send. */
    public static Answer exchange(HttpClient http, String baseUrl, Request request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + request.path())).timeout(request.timeout());
        request.headers().forEach(builder::header);
        builder.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(request.body()));
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    @Override
    public Answer send(Request request) {
        try {
            return exchange(HTTP, baseUrl, request);
        } catch (IOException e) {
            throw new PowerAiException.StageFailed(request.method() + " " + baseUrl + request.path() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.StageFailed("interrupted while scoring on " + baseUrl);
        }
    }
}
