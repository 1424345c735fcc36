package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.event.StageEvents;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.spec.Problems;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code powerai deploy delete} on target aks: removes every object a deployment of the project created (both
 * colors' Deployments, the Service, the autoscaler, the disruption budget, the endpoint keys and the image pull
 * Secret), waits until the API server no longer has them, and records the removal in the audit log.
 * <p>
 * Only objects that carry the labels powerai gives its own ({@code app.kubernetes.io/managed-by: powerai} and the
 * project's name) are deleted: an object of the same name made by someone else is left alone and named.
 * Deployments are deleted in the foreground, so they are gone only once their pods are.
 */
public final class AksRemoval {
    static final Stage STAGE = Stage.DEPLOY;

    private final StageContext ctx;
    private final AksDeployment.Connector connector;
    private final AksDeployment.Tuning tuning;
    private final StageEvents events;

    public AksRemoval(StageContext ctx, AksDeployment.Connector connector, AksDeployment.Tuning tuning) {
        this.ctx = ctx;
        this.connector = connector;
        this.tuning = tuning;
        this.events = ctx.events().forStage(STAGE.stepName());
    }

    /** As the command runs it: credentials from the environment. */
    public static AksRemoval of(StageContext ctx, io.powerai.core.kubernetes.ClusterCredentials cluster) {
        return new AksRemoval(ctx, AksDeployment.Connector.of(cluster), AksDeployment.Tuning.defaults());
    }

    /** One object a deployment may have created: its kind and name, and how to reach it. */
    private record Part(String kind, String name, Function<KubernetesClient, Resource<? extends HasMetadata>> resource) {
        String describe(String namespace) {
            return kind + " " + namespace + "/" + name;
        }
    }

    private static List<Part> parts(AksManifests m) {
        String ns = m.namespace();
        List<Part> parts = new ArrayList<>();
        for (Color color : Color.values()) {
            parts.add(new Part("Deployment", m.deploymentName(color),
                    c -> c.apps().deployments().inNamespace(ns).withName(m.deploymentName(color))));
        }
        parts.add(new Part("Service", m.serviceName(), c -> c.services().inNamespace(ns).withName(m.serviceName())));
        parts.add(new Part("HorizontalPodAutoscaler", m.serviceName(),
                c -> c.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(m.serviceName())));
        parts.add(new Part("PodDisruptionBudget", m.serviceName(),
                c -> c.policy().v1().podDisruptionBudget().inNamespace(ns).withName(m.serviceName())));
        parts.add(new Part("Secret", m.keysSecretName(), c -> c.secrets().inNamespace(ns).withName(m.keysSecretName())));
        parts.add(new Part("Secret", m.pullSecretName(), c -> c.secrets().inNamespace(ns).withName(m.pullSecretName())));
        return parts;
    }

    /** Deletes what is there and waits until it is gone; the result written to {@code aksDeploy.json}. */
    public DeploymentResult delete() {
        long started = System.nanoTime();
        ctx.spec().require(STAGE);
        String name = ctx.spec().name();
        AksSettings settings = ctx.spec().deploy().aks();
        Problems problems = new Problems();
        AksManifests.checkServiceName(STAGE.stepName(), name, problems);
        problems.throwIfAny();
        AksManifests m = new AksManifests(name, settings, new Release("", null, null, null, null, null), false);
        String ns = settings.namespace();
        List<String> deleted = new ArrayList<>();
        List<String> leftAlone = new ArrayList<>();
        String server;
        try (KubeConnection connection = connector.open(settings, events)) {
            server = connection.server();
            try {
                deleteAndWait(connection.client(), new KubeCalls(STAGE.stepName(), server, tuning.backoff(), tuning.timing(), events),
                        m, name, settings, deleted, leftAlone);
            } catch (PowerAiException failure) {
                // What was deleted before the failure is gone for good: the log says so. A failure before any
                // delete (an unreachable cluster, a refused read) changed nothing and records nothing.
                if (!deleted.isEmpty()) {
                    Map<String, Object> details = details(server, m, deleted, leftAlone);
                    details.put("failure", failure.messageIn(STAGE.stepName()));
                    ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), "failed", Map.of(),
                            Map.of("service", ns + "/" + m.serviceName()), details));
                }
                throw failure;
            }
        }
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), "succeeded", Map.of(),
                Map.of("service", ns + "/" + m.serviceName()), details(server, m, deleted, leftAlone)));
        DeploymentResult result = DeploymentResult.builder("succeeded", "aks")
                .action("delete")
                .cluster(server)
                .namespace(ns)
                .service(m.serviceName())
                .deleted(deleted)
                .leftAlone(leftAlone.isEmpty() ? null : leftAlone)
                .durationMillis((System.nanoTime() - started) / 1_000_000)
                .build(new AuditStamp(record.seq(), record.hash()));
        ctx.workspace().writeResult(result);
        return result;
    }

    private void deleteAndWait(KubernetesClient client, KubeCalls calls, AksManifests m, String name, AksSettings settings,
                               List<String> deleted, List<String> leftAlone) {
        String ns = m.namespace();
        List<Part> deleting = new ArrayList<>();
        for (Part part : parts(m)) {
            HasMetadata found = calls.call("read " + part.describe(ns), () -> part.resource().apply(client).get());
            if (found == null) {
                continue;
            }
            if (!ours(found, name)) {
                events.warning("left alone: " + part.describe(ns) + " exists but is not labelled as powerai's deployment of "
                        + name + " (" + AksManifests.MANAGED_BY + "=powerai, " + AksManifests.NAME + "=" + name + ")");
                leftAlone.add(part.kind() + "/" + part.name());
                continue;
            }
            calls.run("delete " + part.describe(ns),
                    () -> part.resource().apply(client).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
            events.progress("deleting " + part.describe(ns));
            deleting.add(part);
            deleted.add(part.kind() + "/" + part.name());
        }
        if (deleting.isEmpty() && leftAlone.isEmpty()) {
            events.progress("nothing to delete: namespace " + ns + " holds no object of " + name);
        }
        awaitGone(client, calls, ns, deleting, settings);
    }

    private static Map<String, Object> details(String server, AksManifests m, List<String> deleted, List<String> leftAlone) {
        Map<String, Object> details = new TreeMap<>();
        details.put("target", "aks");
        details.put("action", "delete");
        details.put("cluster", server);
        details.put("namespace", m.namespace());
        details.put("service", m.serviceName());
        details.put("deleted", List.copyOf(deleted));
        details.put("serving", List.of()); // what serves afterwards: nothing (deploy history reads this)
        if (!leftAlone.isEmpty()) {
            details.put("leftAlone", List.copyOf(leftAlone));
        }
        return details;
    }

    private static boolean ours(HasMetadata object, String name) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && "powerai".equals(labels.get(AksManifests.MANAGED_BY)) && name.equals(labels.get(AksManifests.NAME));
    }

    /** Polls until none of {@code parts} is left; at the rollout timeout the stage fails naming what is left. */
    private void awaitGone(KubernetesClient client, KubeCalls calls, String ns, List<Part> parts, AksSettings settings) {
        long deadline = tuning.timing().nanoTime() + settings.rolloutTimeout().toNanos();
        List<Part> left = new ArrayList<>(parts);
        while (true) {
            left.removeIf(part -> calls.call("read " + part.describe(ns), () -> part.resource().apply(client).get()) == null);
            if (left.isEmpty()) {
                return;
            }
            if (tuning.timing().nanoTime() >= deadline) {
                throw PowerAiException.StageFailed.bare("still present " + settings.rolloutTimeout().toSeconds()
                        + " s after the delete (rollout_timeout): " + String.join(", ", left.stream().map(p -> p.describe(ns)).toList())
                        + " (finalizers, or pods that do not stop?)");
            }
            tuning.timing().pause(tuning.poll(), STAGE.stepName(), "waiting for the deleted objects to go");
        }
    }
}
