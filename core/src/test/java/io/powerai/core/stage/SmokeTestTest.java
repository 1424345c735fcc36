package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one smoke test both deploy targets run, over a transport that answers what the test says. */
class SmokeTestTest {
    @TempDir
    Path dir;
    final List<Event> events = new ArrayList<>();
    final List<SmokeTransport.Request> sent = new ArrayList<>();

    private SmokeTest smoke(String subject, int status, String body) {
        SmokeTransport transport = request -> {
            sent.add(request);
            return new SmokeTransport.Answer(status, body);
        };
        return new SmokeTest("aksDeploy", transport, subject, ((io.powerai.core.event.EventSink) events::add).forStage("aksDeploy"));
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void sample_sendsJsonWithTheGivenHeaders_andChecksTheAnswerWithinTheTolerance() throws Exception {
        String answer = smoke("svm-moons-green", 200, "[1.0001]").sample(file("sample.json", "{\"data\": [[1, 2]]}"),
                file("answer.json", "[1.0]"), 0.001, Map.of("Authorization", "Bearer k"), SmokeTest.DEFAULT_TIMEOUT);
        assertThat(answer).isEqualTo("[1.0001]");
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/score");
            assertThat(r.headers()).containsEntry("Content-Type", "application/json").containsEntry("Authorization", "Bearer k");
        });
        assertThat(events).anyMatch(e -> e.toString().contains("smoke test passed on svm-moons-green: [1.0001]"));
    }

    @Test
    void failures_nameWhatWasTested_whenThereIsASubject() throws Exception {
        Path sample = file("sample.json", "{}");
        Path expected = file("answer.json", "[1]");
        assertThatThrownBy(() -> smoke("svm-moons-blue", 503, "init() failed").live())
                .isInstanceOf(PowerAiException.StageFailed.class)
                .hasMessage("aksDeploy: smoke test: GET / on svm-moons-blue answered HTTP 503: init() failed");
        assertThatThrownBy(() -> smoke(null, 500, "boom").sample(sample, expected, 0, Map.of(), SmokeTest.DEFAULT_TIMEOUT))
                .hasMessage("aksDeploy: smoke test: POST /score answered HTTP 500: boom");
        assertThatThrownBy(() -> smoke("svm-moons-blue", 200, "[2]").sample(sample, expected, 0, Map.of(), SmokeTest.DEFAULT_TIMEOUT))
                .hasMessageStartingWith("aksDeploy: smoke test: the answer of svm-moons-blue to sample.json differs from answer.json");
        assertThatThrownBy(() -> smoke(null, 200, "[2]").sample(sample, expected, 0, Map.of(), SmokeTest.DEFAULT_TIMEOUT))
                .hasMessageStartingWith("aksDeploy: smoke test: the answer to sample.json differs from answer.json");
        assertThatThrownBy(() -> smoke(null, 200, "not json").sample(sample, expected, 0, Map.of(), SmokeTest.DEFAULT_TIMEOUT))
                .hasMessage("aksDeploy: smoke test: the scoring answer is not JSON: not json");
    }

    @Test
    void withoutASample_nothingIsSent_andTheWarningSaysLivenessOnly() {
        assertThat(smoke(null, 200, "[1]").sample(null, null, 0, Map.of(), SmokeTest.DEFAULT_TIMEOUT)).isNull();
        assertThat(sent).isEmpty();
        assertThat(events).anyMatch(e -> e.toString().contains("no 'sample_request': the smoke test checked liveness only"));
    }
}
