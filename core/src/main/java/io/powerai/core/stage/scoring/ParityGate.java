package io.powerai.core.stage.scoring;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.spec.ScoreSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.Containers;
import io.powerai.core.stage.Parity;
import io.powerai.core.stage.ScoringProbe;
import io.powerai.core.stage.StageContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Before a scoring image is pushed: started locally, it must answer the requests recorded at training time as
 * recorded. An image that fails the gate never reaches the registry.
 */
final class ParityGate {
    private static final String STAGE_NAME = Stage.SCORING_IMAGE.stepName();

    private ParityGate() {
    }

    /** What the gate checked: cases sent, answers compared, where they came from, the last answer. */
    record Outcome(int checked, int compared, List<String> sources, String answer, Long startToFirstScoreMillis) {
    }

    /**
     * The parity gate: runs the image on a free loopback port, waits until it is ready, sends every recorded
     * request and compares the answers with the recorded ones. Any difference fails the stage before the push;
     * the container is always removed, its log kept when the gate fails.
     */
    static Outcome run(StageContext ctx, ScoreSpec spec, List<Parity.Case> cases, ImageReference image,
                                   Path stageDir, StageEvents events) {
        int port = ScoringProbe.freeLoopbackPort();
        String container = Containers.jobName(ctx, "smoke");
        String baseUrl = "http://127.0.0.1:" + port;
        events.progress("parity gate: starting " + container + " on " + baseUrl);
        long startedAt = System.nanoTime();
        ctx.engine().start(RunSpec.of(image.toString(), List.of())
                .withName(container)
                .withNetwork("host")
                .withEnv(Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1"))
                .withLabels(Containers.labels(ctx, Stage.SCORING_IMAGE, Containers.JOB)));
        Path log = stageDir.resolve("smoke-test.log");
        try {
            ScoringProbe.awaitLive(baseUrl, Duration.ofSeconds(60), ctx.engine(), container, STAGE_NAME);
            if (cases.isEmpty()) {
                events.warning("no 'sample_request' and no " + Parity.FILE_NAME + " in the training outputs: the image was"
                        + " checked for readiness only, not for its answers");
                return new Outcome(0, 0, List.of(), null, null);
            }
            List<String> differences = new ArrayList<>();
            int failed = 0;
            int compared = 0;
            Long firstScore = null;
            String last = null;
            for (Parity.Case c : cases) {
                ScoringProbe.Answer answer = ScoringProbe.score(baseUrl, c.body(), Duration.ofMillis(spec.scoringTimeoutMs() + 30_000L));
                if (firstScore == null && answer.status() == 200) {
                    firstScore = (System.nanoTime() - startedAt) / 1_000_000;
                }
                List<String> problems;
                if (answer.status() != 200) {
                    problems = List.of("HTTP " + answer.status() + ": " + ScoringProbe.oneLine(answer.body()));
                } else {
                    Object actual = parseQuietly(answer.body());
                    if (actual == answer.body()) { // parseQuietly gives back the very text it could not parse
                        problems = List.of("the answer is not JSON: " + ScoringProbe.oneLine(answer.body()));
                    } else if (c.hasExpected()) {
                        compared++;
                        problems = Parity.differences(c.expected(), actual, spec.parityTolerance());
                    } else {
                        problems = List.of();
                    }
                    last = answer.body();
                }
                if (!problems.isEmpty()) {
                    failed++;
                    problems.forEach(p -> differences.add(c.origin() + " " + p));
                }
            }
            List<String> sources = cases.stream().map(c -> c.origin().startsWith(Parity.FILE_NAME) ? Parity.FILE_NAME : c.origin())
                    .distinct().toList();
            if (failed > 0) {
                Json.writeAtomically(log, String.join("\n", ctx.engine().logs(container)) + "\n");
                Path diff = stageDir.resolve("parity-diff.txt");
                Json.writeAtomically(diff, String.join("\n", differences) + "\n");
                List<String> shown = differences.subList(0, Math.min(differences.size(), Parity.MAX_DIFFERENCES));
                throw new PowerAiException.StageFailed(STAGE_NAME + ": parity gate failed: " + failed + " of " + cases.size()
                        + " recorded answers differ (" + String.join(", ", sources) + "; floats within relative "
                        + spec.parityTolerance() + "); " + image + " was not pushed; diff kept at " + diff
                        + ", container log at " + log
                        + shown.stream().map(d -> "\n" + STAGE_NAME + ": parity: " + d).collect(Collectors.joining())
                        + (differences.size() > shown.size() ? "\n" + STAGE_NAME + ": parity: ... "
                        + (differences.size() - shown.size()) + " more in " + diff : ""));
            }
            events.progress("parity gate passed: " + cases.size() + " request(s) answered as recorded (" + String.join(", ", sources)
                    + "); first answer " + firstScore + " ms after the container was started");
            return new Outcome(cases.size(), compared, sources, last, firstScore);
        } catch (PowerAiException e) {
            if (!Files.exists(log)) {
                Json.writeAtomically(log, String.join("\n", ctx.engine().logs(container)) + "\n");
            }
            if (e.getMessage().contains("parity gate failed")) {
                throw e;
            }
            throw new PowerAiException.StageFailed(e.getMessage() + "; " + image + " was not pushed; container log kept at " + log, e);
        } finally {
            ctx.engine().remove(container);
        }
    }

    static Object parseQuietly(String json) {
        try {
            return Json.mapper().readValue(json, Object.class);
        } catch (IOException e) {
            return json;
        }
    }
}
