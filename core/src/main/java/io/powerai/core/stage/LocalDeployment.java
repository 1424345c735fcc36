package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Json;
import io.powerai.core.spec.DeploySpec;
import io.powerai.core.spec.Stage;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * o16n, local target (Azure ML's LocalWebservice idea): the scoring image as a long-running container on
 * 127.0.0.1. It replaces the previous version of the same project; when the new one does not come up or
 * answers the sample wrong, the previous image is started again and the stage fails. The engine restarts the
 * container whenever it exits (restart policy {@code unless-stopped}), as Kubernetes restarts a pod's container:
 * a scoring server that stops keeps no local service down.
 */
public final class LocalDeployment {
    static final Stage STAGE = Stage.DEPLOY;

    private LocalDeployment() {
    }

    public static String containerName(String projectName) {
        return "powerai-" + projectName;
    }

    public static Map<String, Object> run(StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        DeploySpec spec = ctx.spec().deploy();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        Map<String, Object> scoring = imageOverride == null ? ctx.workspace().requireResult(Stage.SCORING_IMAGE, STAGE) : Map.of();
        String image = imageOverride != null ? imageOverride : String.valueOf(scoring.get("image"));
        ctx.engine().ensureAvailable();

        String container = containerName(ctx.spec().name());
        Optional<String> previous = ctx.engine().containerImage(container);
        if (previous.isPresent()) {
            events.progress("replacing " + container + " (was " + previous.get() + ")");
            ctx.engine().remove(container);
        }
        if (!ScoringProbe.portFree(spec.port())) {
            throw new PowerAiException.InfrastructureUnavailable(STAGE.stepName() + ": port " + spec.port()
                    + " on 127.0.0.1 is taken by another program; free it or set deploy.port");
        }
        String baseUrl = "http://127.0.0.1:" + spec.port();
        events.progress("starting " + container + " from " + image + " on " + baseUrl);
        String failure = null;
        String answer = null;
        try {
            start(ctx, container, image, spec.port());
            ScoringProbe.awaitLive(baseUrl, spec.readyTimeout(), ctx.engine(), container, STAGE.stepName());
            Path sample = spec.sampleRequest();
            Path expected = spec.expectedResponse();
            if (sample == null && ctx.spec().score() != null) {
                sample = ctx.spec().score().sampleRequest();
                expected = ctx.spec().score().expectedResponse();
            }
            if (sample != null) {
                answer = ScoringProbe.smokeTest(baseUrl, sample, expected, Parity.smokeTolerance(ctx.spec()), STAGE.stepName());
                events.progress("smoke test passed: " + ScoringProbe.oneLine(answer));
            } else {
                events.warning("no 'sample_request': the smoke test checked liveness only");
            }
        } catch (PowerAiException e) {
            failure = e.getMessage();
        }

        String status = "succeeded";
        String rolledBackTo = null;
        if (failure != null) {
            Path log = ctx.workspace().stageDir(STAGE).resolve("failed-container.log");
            Json.writeAtomically(log, String.join("\n", ctx.engine().logs(container)) + "\n");
            ctx.engine().remove(container);
            status = "failed";
            failure = failure + "; container log kept at " + log;
            if (previous.isPresent()) {
                events.warning("rolling back to " + previous.get());
                start(ctx, container, previous.get(), spec.port());
                status = "rolled-back";
                rolledBackTo = previous.get();
            }
        }

        Map<String, Object> details = new TreeMap<>();
        details.put("target", spec.target());
        details.put("url", baseUrl + "/score");
        details.put("container", container);
        details.put("restartPolicy", ContainerEngine.SERVICE_RESTART_POLICY);
        previous.ifPresent(p -> details.put("previousImage", p));
        if (failure != null) {
            details.put("failure", failure);
        }
        if (rolledBackTo != null) {
            details.put("rolledBackTo", rolledBackTo);
        }
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), status,
                Map.of("image", image), Map.of("endpoint", baseUrl + "/score"), details));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", STAGE.stepName());
        result.put("status", status);
        result.put("target", spec.target());
        result.put("image", image);
        result.put("container", container);
        result.put("scoringUrl", baseUrl + "/score");
        result.put("restartPolicy", ContainerEngine.SERVICE_RESTART_POLICY);
        previous.ifPresent(p -> result.put("previousImage", p));
        if (answer != null) {
            result.put("smokeTestAnswer", ScoringProbe.oneLine(answer));
        }
        if (failure != null) {
            result.put("failure", failure);
        }
        if (rolledBackTo != null) {
            result.put("rolledBackTo", rolledBackTo);
        }
        result.put("durationMillis", (System.nanoTime() - started) / 1_000_000);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, result);
        if (failure != null) {
            throw new PowerAiException.StageFailed(failure + (rolledBackTo == null ? "" : "; rolled back to " + rolledBackTo));
        }
        events.progress("serving at " + baseUrl + "/score; the engine restarts " + container + " if it exits (restart policy "
                + ContainerEngine.SERVICE_RESTART_POLICY + ", as Kubernetes would)");
        return result;
    }

    /** How long {@link #delete} waits for the engine to no longer list the removed container. */
    static final java.time.Duration REMOVAL_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * {@code powerai deploy delete}, local target: stops and removes the project's scoring container, waits until the
     * engine no longer has it, and records the removal (or that there was nothing to remove) in the audit log.
     */
    public static Map<String, Object> delete(StageContext ctx) {
        ctx.spec().require(STAGE);
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        ctx.engine().ensureAvailable();
        String container = containerName(ctx.spec().name());
        Optional<String> image = ctx.engine().containerImage(container);
        if (image.isEmpty()) {
            events.progress("nothing to delete: the engine has no container " + container);
        } else {
            events.progress("stopping and removing " + container + " (" + image.get() + ")");
            ctx.engine().remove(container);
            long deadline = System.nanoTime() + REMOVAL_WAIT.toNanos();
            while (ctx.engine().containerImage(container).isPresent()) {
                if (System.nanoTime() > deadline) {
                    throw new PowerAiException.StageFailed(STAGE.stepName() + ": container " + container + " is still there "
                            + REMOVAL_WAIT.toSeconds() + " s after '" + ctx.engine().binary() + " rm -f'");
                }
                pause();
            }
        }
        Map<String, Object> details = new TreeMap<>();
        details.put("target", "local");
        details.put("action", "delete");
        details.put("container", container);
        details.put("removed", image.isPresent());
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), "succeeded",
                image.map(i -> Map.of("image", i)).orElse(Map.of()), Map.of(), details));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", STAGE.stepName());
        result.put("status", "succeeded");
        result.put("target", "local");
        result.put("action", "delete");
        result.put("container", container);
        image.ifPresent(i -> result.put("image", i));
        result.put("removed", image.isPresent());
        result.put("durationMillis", (System.nanoTime() - started) / 1_000_000);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, result);
        return result;
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": interrupted while removing the container");
        }
    }

    private static void start(StageContext ctx, String container, String image, int port) {
        ctx.engine().startService(RunSpec.of(image, List.of())
                .withName(container)
                .withNetwork("host")
                .withEnv(Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1"))
                .withLabels(Map.of("io.powerai.managed", "true", "io.powerai.stage", STAGE.stepName())));
    }
}
