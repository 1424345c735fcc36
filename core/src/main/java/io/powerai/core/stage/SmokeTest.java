package io.powerai.core.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The smoke test of a scoring server that is about to serve, whatever carries the requests ({@link SmokeTransport}):
 * the sample request must answer HTTP 200 with JSON equal, within the tolerance, to the expected answer when there is
 * one. Both deploy targets use it: the local container over loopback, a Kubernetes pod through a port-forward.
 * {@code subject} names what is tested in messages ("svm-moons-green"); null where there is only one thing.
 */
public final class SmokeTest {
    /** How long a local smoke request may take: the server's own scoring timeout answers sooner. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final String stage;
    private final SmokeTransport transport;
    private final String subject;
    private final StageEvents events;

    public SmokeTest(String stage, SmokeTransport transport, String subject, StageEvents events) {
        this.stage = stage;
        this.transport = transport;
        this.subject = subject;
        this.events = events;
    }

    /** GET / must answer 200: the server lives (a check for servers no readiness wait has seen). */
    public void live() {
        SmokeTransport.Answer live = transport.send(new SmokeTransport.Request("GET", "/", null, Map.of(), Duration.ofSeconds(10)));
        if (live.status() != 200) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: GET /" + on() + " answered HTTP " + live.status() + ": "
                    + ScoringProbe.oneLine(String.valueOf(live.body())));
        }
    }

    /**
     * Sends the sample request ({@code sample}; null: none, the test checked liveness only and says so) with
     * {@code headers} besides the JSON content type, and checks the answer; returns its body (null without a sample).
     */
    public String sample(Path sample, Path expectedResponse, double tolerance, Map<String, String> headers, Duration timeout) {
        if (sample == null) {
            events.warning("no 'sample_request': the smoke test checked liveness only");
            return null;
        }
        String request;
        String expected = null;
        try {
            request = Files.readString(sample);
            if (expectedResponse != null) {
                expected = Files.readString(expectedResponse);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample request: " + e.getMessage(), e);
        }
        Map<String, String> all = new TreeMap<>(headers);
        all.put("Content-Type", "application/json");
        SmokeTransport.Answer answer = transport.send(new SmokeTransport.Request("POST", "/score", request, all, timeout));
        if (answer.status() != 200) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: POST /score" + on() + " answered HTTP " + answer.status()
                    + ": " + ScoringProbe.oneLine(String.valueOf(answer.body())));
        }
        Object actual = parse(answer.body(), "the scoring answer");
        List<String> differences = expected == null ? List.of()
                : Parity.differences(parse(expected, "expected_response"), actual, tolerance);
        if (!differences.isEmpty()) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: the answer" + (subject == null ? "" : " of " + subject)
                    + " to " + sample.getFileName() + " differs from " + expectedResponse.getFileName() + " (tolerance "
                    + tolerance + "): " + ScoringProbe.oneLine(Parity.summary(differences, 5)));
        }
        events.progress("smoke test passed" + on() + ": " + ScoringProbe.oneLine(answer.body()));
        return answer.body();
    }

    private String on() {
        return subject == null ? "" : " on " + subject;
    }

    private Object parse(String text, String what) {
        try {
            return Json.mapper().readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new PowerAiException.StageFailed(stage + ": smoke test: " + what + " is not JSON: "
                    + ScoringProbe.oneLine(String.valueOf(text)));
        }
    }
}
