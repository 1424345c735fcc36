package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The serving and parity keys of the score section: defaults, accepted values, every problem at once. */
class ScoreSpecTest {
    @TempDir
    Path project;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(project.resolve("score.py"), "def init(): pass\ndef run(raw): return raw\n");
    }

    private ScoreSpec read(String extra) throws IOException {
        Files.writeString(project.resolve(PipelineSpec.FILE_NAME),
                "name: demo\nscore:\n  entry_script: score.py\n  model: model.pkl\n" + extra);
        return PipelineSpec.read(project.resolve(PipelineSpec.FILE_NAME), null).score();
    }

    private String problemsOf(String extra) throws IOException {
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class, () -> read(extra));
        assertThat(e).as("reading the spec must fail").isNotNull();
        return e.getMessage();
    }

    @Test
    void defaults_workersFromCores_oneMinuteTimeout_tenMebibytes_oneInAMillion() throws IOException {
        ScoreSpec spec = read("");

        assertThat(spec.workers()).isZero();
        assertThat(spec.scoringTimeoutMs()).isEqualTo(60_000);
        assertThat(spec.maxRequestBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(spec.parityTolerance()).isEqualTo(1e-6);
        assertThat(spec.server()).isEqualTo("auto");
        assertThat(spec.preload()).isTrue();
    }

    @Test
    void servingKeys_areRead() throws IOException {
        ScoreSpec spec = read("  workers: 4\n  scoring_timeout_ms: 1500\n  max_request_bytes: 4096\n"
                + "  parity_tolerance: 1.0e-3\n  server: builtin\n  preload: false\n");

        assertThat(spec.workers()).isEqualTo(4);
        assertThat(spec.scoringTimeoutMs()).isEqualTo(1500);
        assertThat(spec.maxRequestBytes()).isEqualTo(4096);
        assertThat(spec.parityTolerance()).isEqualTo(1e-3);
        assertThat(spec.server()).isEqualTo("builtin");
        assertThat(spec.preload()).isFalse();
    }

    @Test
    void parityTolerance_yamlExponentWithoutDot_isANumberToo() throws IOException {
        assertThat(read("  parity_tolerance: 1e-4\n").parityTolerance()).isEqualTo(1e-4);
        assertThat(read("  parity_tolerance: 0\n").parityTolerance()).isZero();
    }

    @Test
    void invalidServingKeys_allReportedAtOnce() throws IOException {
        String message = problemsOf("  workers: 0\n  scoring_timeout_ms: 10\n  max_request_bytes: lots\n  preload: 'no'\n"
                + "  parity_tolerance: 2\n  server: uwsgi\n");

        assertThat(message.lines()).hasSize(6);
        assertThat(message)
                .contains("scoringImage: 'workers' must be a whole number from 1 to 256; got 0")
                .contains("scoringImage: 'scoring_timeout_ms' must be a whole number from 100 to 3600000; got 10")
                .contains("scoringImage: 'max_request_bytes' must be a whole number from 1024 to 1073741824; got 'lots'")
                .contains("scoringImage: 'parity_tolerance' must be a number from 0 (exact) to below 1")
                .contains("scoringImage: 'server' must be auto, builtin or gunicorn; got 'uwsgi'")
                .contains("scoringImage: 'preload' must be true or false; got 'no'");
    }

    @Test
    void unknownKey_listsTheNewKeysToo() throws IOException {
        assertThat(problemsOf("  worker: 2\n")).isEqualTo("scoringImage: unknown parameter 'worker'. Valid parameters: "
                + "entry_script, expected_response, max_request_bytes, model, parity_tolerance, preload, sample_request, "
                + "scoring_timeout_ms, server, workers");
    }
}
