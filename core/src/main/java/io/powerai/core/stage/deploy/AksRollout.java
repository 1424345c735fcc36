package io.powerai.core.stage.deploy;

import io.powerai.core.spec.PromotionGate;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.result.ServingVersion;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.Parity;
import io.powerai.core.stage.SmokeTest;
import io.powerai.core.stage.StageContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static io.powerai.core.stage.deploy.ClusterObjects.annotation;

/**
 * One connection's rollouts: deploy, promote and rollback are each one {@link Change} of what serves, run by
 * {@link #run}: prepare, wait for the rollout, smoke-test, switch the traffic, record; on any failure the undo journal
 * puts every touched object back, the pods' logs are kept, and the stage records {@code rolled-back} and fails.
 */
final class AksRollout {
    private static final Stage STAGE = Stage.DEPLOY;

    private final StageContext ctx;
    private final AksPlan plan;
    private final AksManifests m;
    private final String ns;
    private final StageEvents events;
    private final KubernetesClient client;
    private final PodTransport transport;
    private final RolloutWait rollout;
    private final UndoJournal undo = new UndoJournal(STAGE.stepName());
    private final ClusterObjects objects;
    private final TrafficSwitch traffic;
    private final DeploymentRecords records;
    private String primaryKey;

    AksRollout(StageContext ctx, KubeConnection connection, AksPlan plan, PodTransport transport, AksDeployment.Tuning tuning,
               StageEvents events) {
        this.ctx = ctx;
        this.plan = plan;
        this.m = plan.manifests();
        this.ns = plan.settings().namespace();
        this.events = events;
        this.client = connection.client();
        this.transport = transport;
        KubeCalls calls = new KubeCalls(STAGE.stepName(), connection.server(), tuning.backoff(), tuning.timing(), events);
        this.rollout = new RolloutWait(client, calls, tuning.timing(), tuning.poll(), events, STAGE.stepName());
        this.objects = new ClusterObjects(client, m, plan.settings(), calls, undo, events, STAGE.stepName());
        this.traffic = new TrafficSwitch(objects, m, plan.settings(), STAGE.stepName());
        this.records = new DeploymentRecords(ctx.workspace(), objects, plan, connection.server());
    }

    /**
     * One change of what serves: {@code prepare} makes the changes before the rollout (each with its undo), then,
     * when {@code rollOut}, {@code to} is waited for and smoke-tested; the traffic then goes to {@code next}, and
     * {@code from} (serving {@code fromImage} until then) is scaled to {@code fromReplicas}.
     */
    private record Change(String action, Color to, Color from, String fromImage, String image, TrafficState next,
                          Service priorService, HorizontalPodAutoscaler priorHpa, Deployment fromDeployment, int fromReplicas,
                          Runnable prepare, boolean rollOut, String done) {
    }

    private DeploymentResult run(long started, Change c, BiConsumer<Map<String, Object>, String> details,
                                 Consumer<DeploymentResult.Builder> extra) {
        String answer = null;
        try {
            c.prepare().run();
            if (c.rollOut()) {
                rollout.await(ns, m.deploymentName(c.to()), m.colorSelector(c.to()), plan.settings().rolloutTimeout());
                answer = smokeTest(c.to());
            }
            traffic.switchTo(c.next(), c.priorService(), c.priorHpa(), c.from(), c.fromDeployment(), c.fromReplicas());
        } catch (PowerAiException failure) {
            return failed(started, failure, c.action(), c.to(), c.from(), c.fromImage());
        }
        events.progress(c.done());
        Map<String, Object> recorded = records.details(c.action(), c.to());
        DeploymentRecords.putIfSet(recorded, "previousImage", c.fromImage());
        details.accept(recorded, answer);
        return records.write(started, "succeeded", recorded, records.serving(c.next()), answer, c.image(), extra);
    }

    DeploymentResult deploy(long started, Map<String, Double> gateCandidate) {
        AksSettings settings = plan.settings();
        Service service = objects.service();
        TrafficState state = traffic.stateOf(service);
        if (state != null && state.split()) {
            throw PowerAiException.InvalidInput.bare(ns + "/" + m.serviceName() + " is splitting traffic ("
                    + TrafficSwitch.describe(state) + "): run 'powerai deploy promote' or 'powerai deploy rollback' first");
        }
        Color live = state == null ? null : state.live();
        Color candidate = live == null ? Color.BLUE : live.other();
        Deployment liveDeployment = live == null ? null : objects.deployment(live);
        String previousImage = annotation(liveDeployment, AksManifests.IMAGE);
        if (ctx.spec().deploy().gate() != null) {
            PromotionGate.Decision decision = decide(gateCandidate, liveDeployment);
            if (!decision.passes()) {
                // Before any change: the serving version stays as it is, recorded as kept.
                Map<String, Object> details = records.details("deploy", live);
                details.put("gate", decision.line());
                details.put("candidateImage", plan.release().image());
                records.write(started, "kept", details, records.serving(state), null, previousImage,
                        r -> r.candidateImage(plan.release().image()).gate(decision.line()));
                throw PowerAiException.StageFailed.bare(decision.line());
            }
        }
        Deployment priorCandidate = objects.deployment(candidate);
        HorizontalPodAutoscaler priorHpa = objects.autoscaler();
        PodDisruptionBudget priorPdb = objects.disruptionBudget();

        Integer percent = settings.trafficPercent();
        boolean split = percent != null && percent < 100 && liveDeployment != null;
        if (percent != null && percent < 100 && liveDeployment == null) {
            events.warning("traffic_percent " + percent + " applies once a version serves; the first version takes all traffic");
        }
        int total = settings.servingReplicas();
        int[] ratio = split ? TrafficState.splitReplicas(total, percent) : new int[] {0, total};
        TrafficState next = split ? new TrafficState(live, candidate, percent) : TrafficState.serving(candidate);
        Runnable prepare = () -> {
            primaryKey = new EndpointSecrets(objects, plan, events).ensure();
            Deployment rendered = m.deployment(candidate, ratio[1], ctx.clock().instant(), annotation(priorCandidate, AksManifests.IMAGE));
            objects.apply("apply Deployment " + m.deploymentName(candidate), rendered, priorCandidate);
            objects.apply("apply PodDisruptionBudget " + m.serviceName(), m.disruptionBudget(), priorPdb);
            if (settings.serviceMonitor()) {
                objects.applyServiceMonitor();
            }
            events.progress("rolling out " + m.deploymentName(candidate) + " (" + ratio[1] + " replica(s))"
                    + (previousImage == null ? "" : "; " + m.deploymentName(live) + " serves " + previousImage + " meanwhile"));
        };
        String done = split
                ? "traffic split: " + TrafficSwitch.describe(next) + " (by replica ratio " + ratio[0] + ":" + ratio[1] + ")"
                : "serving " + plan.release().image() + " from " + m.deploymentName(candidate);
        Change change = new Change("deploy", candidate, live, previousImage, plan.release().image(), next, service, priorHpa,
                liveDeployment, ratio[0], prepare, true, done);
        return run(started, change, (details, answer) -> {
            details.put("replicas", ratio[1]);
            if (split) {
                details.put("trafficPercent", percent);
            }
            details.put("smokeTest", answer == null ? "liveness only" : "passed");
        }, r -> r.color(candidate.label()).previousImage(previousImage).trafficPercent(split ? percent : null));
    }

    DeploymentResult promote(long started) {
        Service service = objects.service();
        TrafficState state = traffic.requireState(service);
        if (!state.split()) {
            throw PowerAiException.InvalidInput.bare("nothing to promote: " + ns + "/" + m.serviceName()
                    + " sends all traffic to " + state.live() + " (no traffic split in progress)");
        }
        Color candidate = state.candidate();
        Color live = state.live();
        Deployment candidateDeployment = objects.requireDeployment(candidate);
        Deployment liveDeployment = objects.deployment(live);
        int replicas = objects.servingReplicas(candidateDeployment);
        String image = annotation(candidateDeployment, AksManifests.IMAGE);
        HorizontalPodAutoscaler priorHpa = objects.autoscaler();
        Change change = new Change("promote", candidate, live, annotation(liveDeployment, AksManifests.IMAGE), image,
                TrafficState.serving(candidate), service, priorHpa, liveDeployment, 0,
                () -> {
                    primaryKey = new EndpointSecrets(objects, plan, events).primaryKey();
                    objects.scale(candidate, candidateDeployment, replicas);
                }, true,
                "promoted: " + image + " from " + m.deploymentName(candidate) + " takes all traffic");
        return run(started, change, (details, answer) -> { }, r -> r.color(candidate.label()));
    }

    DeploymentResult rollback(long started) {
        Service service = objects.service();
        TrafficState state = traffic.requireState(service);
        Color current = state.split() ? state.candidate() : state.live();
        Color back = state.split() ? state.live() : state.live().other();
        Deployment backDeployment = objects.deployment(back);
        String backImage = annotation(backDeployment, AksManifests.IMAGE);
        if (backImage == null) {
            throw PowerAiException.InvalidInput.bare("nothing to roll back to: " + ns + "/"
                    + m.deploymentName(back) + " holds no earlier version");
        }
        Deployment currentDeployment = objects.deployment(current);
        String currentImage = annotation(currentDeployment, AksManifests.IMAGE);
        HorizontalPodAutoscaler priorHpa = objects.autoscaler();
        // A split ends by the Service alone: the version that served before it still runs at its share.
        boolean bringBack = !state.split();
        Change change = new Change("rollback", back, current, currentImage, backImage, TrafficState.serving(back), service, priorHpa,
                currentDeployment, 0, () -> {
                    if (bringBack) {
                        primaryKey = new EndpointSecrets(objects, plan, events).primaryKey();
                        objects.scale(back, backDeployment, objects.servingReplicas(backDeployment));
                    }
                }, bringBack,
                "rolled back: " + backImage + " from " + m.deploymentName(back) + " takes all traffic"
                        + (currentImage == null ? "" : " (was " + currentImage + ")"));
        return run(started, change, (details, answer) -> { }, r -> r.color(back.label()).previousImage(currentImage));
    }

    /** The gate: the new model's metrics against those the serving Deployment's annotations record. */
    PromotionGate.Decision decide(Map<String, Double> candidate, Deployment liveDeployment) {
        PromotionGate.Decision decision = ctx.spec().deploy().gate().decide(STAGE.stepName(), candidate, liveDeployment != null,
                ModelMetrics.parse(annotation(liveDeployment, AksManifests.METRICS)));
        events.progress(decision.line());
        return decision;
    }

    /** The gate alone ({@code powerai deploy --gate-only}): reads the serving Deployment, changes nothing. */
    PromotionGate.Decision gateOnly(Map<String, Double> candidate) {
        TrafficState state = traffic.stateOf(objects.service());
        return decide(candidate, state == null ? null : objects.deployment(state.live()));
    }

    /** GET / and the sample request, through the transport to a pod of {@code color}; the answer's body (null: none sent). */
    private String smokeTest(Color color) {
        SmokeTest smoke = new SmokeTest(STAGE.stepName(), transport.to(ns, m.colorSelector(color)), m.deploymentName(color), events);
        smoke.live();
        Integer scoringTimeout = plan.settings().scoringTimeoutMs();
        Duration timeout = Duration.ofMillis(Math.max(scoringTimeout == null ? AksSettings.DEFAULT_SCORING_TIMEOUT_MS : scoringTimeout, 1000) + 5000);
        return smoke.sample(plan.sample(), plan.expected(), Parity.smokeTolerance(ctx.spec()),
                primaryKey == null ? Map.of() : Map.of("Authorization", "Bearer " + primaryKey), timeout);
    }

    /** Puts every touched object back, keeps the pods' logs, records the failure, and fails the stage. */
    private DeploymentResult failed(long started, PowerAiException failure, String action, Color candidate, Color live,
                                    String liveImage) {
        if (undo.isEmpty() && failure instanceof PowerAiException.InfrastructureUnavailable) {
            throw failure; // nothing changed: the cluster was not reachable or refused us
        }
        // The failure as the user sees it, its stage named: what the record and the rethrown message keep.
        String failureLine = failure.messageIn(STAGE.stepName());
        events.warning(failureLine);
        Path logs = keepPodLogs(candidate);
        if (!undo.isEmpty()) {
            events.warning(live == null ? "removing what this deployment created (nothing served before)"
                    : "rolling back: " + ns + "/" + m.serviceName() + " keeps serving " + m.deploymentName(live)
                    + (liveImage == null ? "" : " (" + liveImage + ")"));
        }
        String rollbackProblem = undo.unwind();
        String status = rollbackProblem == null && live != null ? "rolled-back" : "failed";
        String message = failureLine + (logs == null ? "" : "; pod logs kept at " + logs);
        Map<String, Object> details = records.details(action, candidate);
        details.put("failure", message);
        String rolledBackTo = null;
        if (rollbackProblem != null) {
            details.put("rollbackFailure", rollbackProblem);
        } else if (live != null) {
            rolledBackTo = liveImage == null ? m.deploymentName(live) : liveImage;
            details.put("rolledBackTo", rolledBackTo);
        }
        // What serves now: what served before, when the rollback went through.
        List<ServingVersion> servingNow = rollbackProblem == null && live != null ? records.serving(TrafficState.serving(live)) : List.of();
        String backTo = rolledBackTo;
        records.write(started, status, details, servingNow, null, plan.release().image(), r -> r.failure(message).rolledBackTo(backTo));
        String outcome = rollbackProblem != null ? "; the rollback failed too: " + rollbackProblem
                : live != null ? "; rolled back: " + m.deploymentName(live) + " serves " + Objects.toString(liveImage, "") + " again"
                : "; nothing served before, the objects it created were removed";
        if (rollbackProblem != null && failure instanceof PowerAiException.InfrastructureUnavailable) {
            throw new PowerAiException.InfrastructureUnavailable(message + outcome, failure);
        }
        throw new PowerAiException.StageFailed(message + outcome, failure);
    }

    private Path keepPodLogs(Color color) {
        try {
            List<Pod> pods = client.pods().inNamespace(ns).withLabels(m.colorSelector(color)).list().getItems();
            if (pods.isEmpty()) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (Pod pod : pods) {
                out.append("=== pod ").append(pod.getMetadata().getName()).append('\n');
                try {
                    out.append(client.pods().inNamespace(ns).withName(pod.getMetadata().getName())
                            .inContainer(AksManifests.CONTAINER).tailingLines(500).getLog());
                } catch (KubernetesClientException e) {
                    out.append("(no log: ").append(KubeCalls.oneLine(String.valueOf(e.getMessage()))).append(")\n");
                }
            }
            Path file = ctx.workspace().stageDir(STAGE).resolve("failed-pods.log");
            Json.writeAtomically(file, out.toString());
            return file;
        } catch (KubernetesClientException e) {
            return null;
        }
    }
}
