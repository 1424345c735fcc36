package io.powerai.core.stage.deploy;

import io.powerai.core.spec.PromotionGate;
import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Json;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.result.ScoringImageResult;
import io.powerai.core.spec.DeploySpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.Containers;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.LoopbackTransport;
import io.powerai.core.stage.Parity;
import io.powerai.core.stage.ScoringProbe;
import io.powerai.core.stage.SmokeTest;
import io.powerai.core.stage.StageContext;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * o16n, local target (Azure ML's LocalWebservice idea): the scoring image as a long-running container on
 * 127.0.0.1. It replaces the previous version of the same project; when the new one does not come up or
 * answers the sample wrong, the previous image is started again and the stage fails. The engine restarts the
 * container whenever it exits (restart policy {@code unless-stopped}), as Kubernetes restarts a pod's container:
 * a scoring server that stops keeps no local service down.
 */
public final class LocalDeployment implements DeployTarget {
    static final Stage STAGE = Stage.DEPLOY;

    private final StageContext ctx;

    public LocalDeployment(StageContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return DeployTargets.LOCAL;
    }

    @Override
    public DeploymentResult deploy(String imageOverride) {
        return run(ctx, imageOverride);
    }

    @Override
    public PromotionGate.Decision gate(String imageOverride) {
        return gate(ctx, imageOverride);
    }

    @Override
    public DeploymentResult delete() {
        return delete(ctx);
    }

    public static String containerName(String projectName) {
        return "powerai-" + projectName;
    }

    /**
     * Deploys; stopped (the context's cancellation aborted) before it recorded, the untested new container gives way
     * to the previous one again and the run is recorded as aborted (see {@link #undo}).
     */
    private static DeploymentResult run(StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        try (InFlight flight = InFlight.begin(ctx, STAGE)) {
            return run(ctx, imageOverride, flight);
        }
    }

    private static DeploymentResult run(StageContext ctx, String imageOverride, InFlight flight) {
        DeploySpec spec = ctx.spec().deploy();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        ScoringImageResult scoring = imageOverride == null
                ? ctx.workspace().requireResult(Stage.SCORING_IMAGE, ScoringImageResult.class, STAGE) : null;
        String image = imageOverride != null ? imageOverride : String.valueOf(scoring.image());
        ctx.engine().ensureAvailable();

        String container = containerName(ctx.spec().name());
        Optional<String> previous = ctx.engine().containerImage(container);
        // What serves is recorded on its container (LocalRecord), so a rollback or an abort's restore puts the record back too.
        Map<String, String> previousRecord = previous.isPresent() ? LocalRecord.trusted(ctx.engine().containerLabels(container)) : Map.of();
        String previousMetrics = previousRecord.get(LocalRecord.METRICS);
        String metrics = ModelMetrics.record(imageOverride == null ? ModelMetrics.ofScoringImage(ctx.workspace()) : null);
        Map<String, String> servingRecord = LocalRecord.next(previousRecord, previous.orElse(null),
                scoring == null ? null : scoring.modelSha256(), metrics, ctx.clock().instant());
        if (spec.gate() != null) {
            PromotionGate.Decision decision = gate(ctx, imageOverride, previous.isPresent(), previousMetrics);
            if (!decision.passes()) {
                keep(ctx, image, container, previous.orElse(null), decision, "http://127.0.0.1:" + spec.port() + "/score");
            }
        }
        String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        flight.deployment(container, runId, image, previous.orElse(null), spec.port(), previousRecord, LocalDeployment::undo);
        if (previous.isPresent()) {
            events.progress("replacing " + container + " (was " + previous.get() + ")");
            ctx.engine().remove(container);
        }
        if (!ScoringProbe.portFree(spec.port())) {
            throw PowerAiException.InfrastructureUnavailable.bare("port " + spec.port()
                    + " on 127.0.0.1 is taken by another program; free it or set deploy.port");
        }
        int metricsPort = spec.localMetricsPort();
        if (!ScoringProbe.portFree(metricsPort)) {
            if (spec.aks() != null && spec.aks().metricsPort() != null) {
                throw PowerAiException.InfrastructureUnavailable.bare("port " + metricsPort
                        + " on 127.0.0.1 (deploy.metrics_port, for /metrics) is taken by another program; free it or choose another");
            }
            // Only the default (port + 1) was asked for: scoring matters more than its metrics.
            events.warning("no /metrics: port " + metricsPort + " on 127.0.0.1 (deploy.port + 1) is taken by another program;"
                    + " set deploy.metrics_port to publish it");
            metricsPort = 0;
        }
        String baseUrl = "http://127.0.0.1:" + spec.port();
        String metricsUrl = metricsPort == 0 ? null : "http://127.0.0.1:" + metricsPort + "/metrics";
        events.progress("starting " + container + " from " + image + " on " + baseUrl);
        String failure = null;
        String answer = null;
        try {
            start(ctx, container, image, spec.port(), metricsPort, runId, servingRecord);
            ScoringProbe.awaitLive(baseUrl, spec.readyTimeout(), ctx.engine(), container, STAGE.stepName());
            Parity.SmokeSample sample = Parity.SmokeSample.of(ctx.spec());
            answer = new SmokeTest(STAGE.stepName(), new LoopbackTransport(baseUrl), null, events)
                    .sample(sample.request(), sample.expected(), Parity.smokeTolerance(ctx.spec()), Map.of(), SmokeTest.DEFAULT_TIMEOUT);
        } catch (PowerAiException e) {
            failure = e.messageIn(STAGE.stepName());
        }

        // From here the stage settles its own outcome (a rollback included); an abort waits for it rather than race it.
        ctx.cancellation().recording(STAGE.stepName());
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
                start(ctx, container, previous.get(), spec.port(), metricsPort, RESTORED, previousRecord);
                status = "rolled-back";
                rolledBackTo = previous.get();
            }
        }

        Map<String, Object> details = new TreeMap<>();
        details.put("target", spec.target());
        details.put("url", baseUrl + "/score");
        if (metricsUrl != null) {
            details.put("metricsUrl", metricsUrl);
        }
        details.put("container", container);
        details.put("restartPolicy", ContainerEngine.SERVICE_RESTART_POLICY);
        previous.ifPresent(p -> details.put("previousImage", p));
        if (failure != null) {
            details.put("failure", failure);
        }
        if (rolledBackTo != null) {
            details.put("rolledBackTo", rolledBackTo);
        }
        DeploymentResult result = record(ctx, new AuditLog.Entry(STAGE.stepName(), status, Map.of("image", image),
                Map.of("endpoint", baseUrl + "/score"), details), DeploymentResult.builder(status, spec.target())
                .image(image)
                .container(container)
                .scoringUrl(baseUrl + "/score")
                .metricsUrl(metricsUrl)
                .restartPolicy(ContainerEngine.SERVICE_RESTART_POLICY)
                .previousImage(previous.orElse(null))
                .smokeTestAnswer(answer == null ? null : ScoringProbe.oneLine(answer))
                .failure(failure)
                .rolledBackTo(rolledBackTo)
                .durationMillis((System.nanoTime() - started) / 1_000_000));
        if (failure != null) {
            throw new PowerAiException.StageFailed(failure + (rolledBackTo == null ? "" : "; rolled back to " + rolledBackTo));
        }
        events.progress("serving at " + baseUrl + "/score; the engine restarts " + container + " if it exits (restart policy "
                + ContainerEngine.SERVICE_RESTART_POLICY + ", as Kubernetes would)");
        return result;
    }

    /** Appends {@code entry} to the audit log and writes the result it stamps: how each local action is recorded. */
    private static DeploymentResult record(StageContext ctx, AuditLog.Entry entry, DeploymentResult.Builder result) {
        AuditLog.Appended appended = ctx.workspace().audit().append(entry);
        DeploymentResult written = result.build(new AuditStamp(appended.seq(), appended.hash()));
        ctx.workspace().writeResult(written);
        return written;
    }

    /** How long {@link #delete} waits for the engine to no longer list the removed container. */
    static final java.time.Duration REMOVAL_WAIT = java.time.Duration.ofSeconds(30);

    /**
     * {@code powerai deploy delete}, local target: stops and removes the project's scoring container, waits until the
     * engine no longer has it, and records the removal (or that there was nothing to remove) in the audit log.
     */
    private static DeploymentResult delete(StageContext ctx) {
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
                    throw PowerAiException.StageFailed.bare("container " + container + " is still there "
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
        return record(ctx, new AuditLog.Entry(STAGE.stepName(), "succeeded", image.map(i -> Map.of("image", i)).orElse(Map.of()),
                Map.of(), details), DeploymentResult.builder("succeeded", "local")
                .action("delete")
                .container(container)
                .image(image.orElse(null))
                .removed(image.isPresent())
                .durationMillis((System.nanoTime() - started) / 1_000_000));
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PowerAiException.StageFailed.bare("interrupted while removing the container");
        }
    }

    /** The run label of a container started again from the image that served before (it passed its own smoke test). */
    private static final String RESTORED = "restored";

    /**
     * The promotion gate alone (before any change to the target): the new model's metric against the one the serving
     * container records. {@code powerai deploy --gate-only} asks this; {@link #run} asks it before replacing anything.
     */
    private static PromotionGate.Decision gate(StageContext ctx, String imageOverride) {
        ctx.spec().require(STAGE);
        if (ctx.spec().deploy().gate() == null) {
            throw PowerAiException.InvalidInput.bare("'gate' is not set in the deploy section: there is no gate to run");
        }
        ctx.engine().ensureAvailable();
        String container = containerName(ctx.spec().name());
        boolean serves = ctx.engine().containerImage(container).isPresent();
        return gate(ctx, imageOverride, serves, serves ? LocalRecord.trusted(ctx.engine().containerLabels(container)).get(LocalRecord.METRICS) : null);
    }

    private static PromotionGate.Decision gate(StageContext ctx, String imageOverride, boolean serves, String servingRecord) {
        Map<String, Double> candidate = ModelMetrics.requireOfScoringImage(ctx.workspace(), STAGE.stepName(), imageOverride);
        PromotionGate.Decision decision = ctx.spec().deploy().gate().decide(STAGE.stepName(), candidate, serves, ModelMetrics.parse(servingRecord));
        ctx.events().forStage(STAGE.stepName()).progress(decision.line());
        return decision;
    }

    /** The gate kept the serving version: recorded as kept (audit and result), the target untouched; exit 1. */
    private static void keep(StageContext ctx, String image, String container, String serving, PromotionGate.Decision decision,
                             String url) {
        Map<String, Object> details = new TreeMap<>();
        details.put("target", "local");
        details.put("url", url);
        details.put("container", container);
        details.put("gate", decision.line());
        if (serving != null) {
            details.put("servingImage", serving);
        }
        // The serving image stays: it is the result's image; the one the gate refused is the candidate.
        record(ctx, new AuditLog.Entry(STAGE.stepName(), "kept", Map.of("image", image), Map.of(), details),
                DeploymentResult.builder("kept", "local")
                        .candidateImage(image)
                        .image(serving)
                        .scoringUrl(serving == null ? null : url)
                        .container(container)
                        .gate(decision.line()));
        throw PowerAiException.StageFailed.bare(decision.line());
    }

    /**
     * Starts {@code image} as the service; its labels name the run that started it, so an abort can tell it apart, and
     * carry the deployment's own record of what it serves ({@code record}: {@link LocalRecord}, the model's metrics among
     * them, which the next deploy's gate compares against).
     * With host networking the server's sockets are the host's: HOST=127.0.0.1 keeps both the scoring port and the
     * metrics port (the server binds POWERAI_METRICS_PORT on HOST too; 0: none) off the host's other interfaces.
     */
    private static void start(StageContext ctx, String container, String image, int port, int metricsPort, String runId,
                              Map<String, String> record) {
        Map<String, String> labels = new TreeMap<>(record);
        labels.putAll(Containers.labels(ctx, STAGE, Containers.SERVICE));
        labels.put(Containers.RUN, runId);
        ctx.engine().startService(RunSpec.of(image, List.of())
                .withName(container)
                .withNetwork("host")
                .withEnv(Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1", "POWERAI_METRICS_PORT", String.valueOf(metricsPort))) // 0: none
                .withLabels(labels));
    }

    /**
     * Undoes a deployment that was stopped before it recorded its outcome ({@code deployment}: what {@link InFlight}
     * wrote down): a container that the stopped run started (its run label says so) never passed its smoke test, so it
     * is removed and the image that served before is started again; a container the run had not replaced yet is left
     * serving. Returns what was done, for the abort's record.
     */
    public static Map<String, Object> undo(StageContext ctx, Map<String, Object> deployment, String why, StageEvents events) {
        String container = containerName(ctx.spec().name()); // the name follows from the project, not from the file
        String runId = String.valueOf(deployment.get("runId"));
        String previous = deployment.get("previousImage") instanceof String p && isImageReference(p) ? p : null;
        int port = deployment.get("port") instanceof Number n ? n.intValue()
                : ctx.spec().deploy() != null ? ctx.spec().deploy().port() : 0;
        Map<String, Object> done = new TreeMap<>();
        done.put("target", "local");
        done.put("container", container);
        Optional<String> current = ctx.engine().containerImage(container);
        if (current.isPresent() && !ctx.engine().containerLabel(container, Containers.RUN).orElse("").equals(runId)) {
            done.put("serving", current.get());
            events.progress(container + " still serves " + current.get() + ": the stopped run had not replaced it");
            return done;
        }
        String untested = deployment.get("image") instanceof String i ? i : "the new image";
        if (current.isPresent()) {
            ctx.engine().remove(container);
        }
        if (previous == null) {
            done.put("serving", "");
            if (current.isPresent()) {
                events.warning("removed " + container + ": " + untested + " never passed its smoke test (" + why + "); nothing serves now");
            }
            return done;
        }
        try {
            int metricsPort = ctx.spec().deploy() != null && ctx.spec().deploy().port() == port
                    ? ctx.spec().deploy().localMetricsPort() : port + 1;
            // the record the replaced container carried, as the run wrote it down before replacing it
            start(ctx, container, previous, port, metricsPort, RESTORED, LocalRecord.trusted(deployment.get("previousRecord")));
            done.put("rolledBackTo", previous);
            done.put("serving", previous);
            events.warning("rolled " + container + " back to " + previous + ": " + untested + " never passed its smoke test (" + why + ")");
        } catch (PowerAiException e) {
            done.put("serving", "");
            done.put("rollbackFailure", e.messageIn(STAGE.stepName()));
            events.warning("could not start " + previous + " again in " + container + ": " + e.messageIn(STAGE.stepName()) + "; nothing serves now");
        }
        return done;
    }

    private static boolean isImageReference(String text) {
        try {
            io.powerai.core.image.ImageReference.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
