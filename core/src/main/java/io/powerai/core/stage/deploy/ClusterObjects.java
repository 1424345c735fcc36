package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.spec.AksSettings;

import java.util.Map;
import java.util.Objects;

/**
 * The objects of one deployment in its namespace, read and changed through {@link KubeCalls} (retries, one-line
 * errors); every change pushes its undo onto the {@link UndoJournal}.
 */
final class ClusterObjects {
    private final KubernetesClient client;
    private final String ns;
    private final AksManifests m;
    private final AksSettings settings;
    private final KubeCalls calls;
    private final UndoJournal undo;
    private final StageEvents events;
    private final String stage;

    ClusterObjects(KubernetesClient client, AksManifests m, AksSettings settings, KubeCalls calls, UndoJournal undo,
                   StageEvents events, String stage) {
        this.client = client;
        this.ns = settings.namespace();
        this.m = m;
        this.settings = settings;
        this.calls = calls;
        this.undo = undo;
        this.events = events;
        this.stage = stage;
    }

    KubernetesClient client() {
        return client;
    }

    KubeCalls calls() {
        return calls;
    }

    // -------------------------------------------------------------------------------- reads

    Service service() {
        return calls.call("read Service " + ns + "/" + m.serviceName(),
                () -> client.services().inNamespace(ns).withName(m.serviceName()).get());
    }

    Deployment deployment(Color color) {
        return calls.call("read Deployment " + m.deploymentName(color),
                () -> client.apps().deployments().inNamespace(ns).withName(m.deploymentName(color)).get());
    }

    Deployment requireDeployment(Color color) {
        Deployment d = deployment(color);
        if (d == null) {
            throw PowerAiException.InvalidInput.bare("Deployment " + ns + "/" + m.deploymentName(color)
                    + " is missing (removed by hand?)");
        }
        return d;
    }

    HorizontalPodAutoscaler autoscaler() {
        return calls.call("read HorizontalPodAutoscaler " + m.serviceName(),
                () -> client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(m.serviceName()).get());
    }

    PodDisruptionBudget disruptionBudget() {
        return calls.call("read PodDisruptionBudget " + m.serviceName(),
                () -> client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(m.serviceName()).get());
    }

    Secret secret(String name) {
        return calls.call("read Secret " + name, () -> client.secrets().inNamespace(ns).withName(name).get());
    }

    /** The replicas a Deployment serves with once live, as its annotation records them (else the settings'). */
    int servingReplicas(Deployment d) {
        String value = annotation(d, AksManifests.SERVING_REPLICAS);
        try {
            return value == null ? settings.servingReplicas() : Math.max(1, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return settings.servingReplicas();
        }
    }

    // -------------------------------------------------------------------------------- changes with their undo

    /** Creates or replaces {@code object}; its undo puts {@code prior} back (or deletes what did not exist). */
    void apply(String what, HasMetadata object, HasMetadata prior) {
        calls.run(what, () -> {
            // What was read before exists: replace it at once rather than after a create answered 409.
            if (prior == null) {
                client.resource(object).inNamespace(ns).createOr(NonDeletingOperation::update);
            } else {
                client.resource(object).inNamespace(ns).update();
            }
        });
        undo.push(() -> restore(what, object, prior));
    }

    /**
     * The ServiceMonitor is a CRD's object: addressed through its resource definition (group, version, plural)
     * rather than the API server's discovery, which a cluster without the Prometheus Operator does not answer
     * for it. Such a cluster refuses the call, and the deployment fails with that message and rolls back.
     */
    void applyServiceMonitor() {
        GenericKubernetesResource monitor = m.serviceMonitor();
        var monitors = client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                .withGroup("monitoring.coreos.com").withVersion("v1").withKind(AksManifests.SERVICE_MONITOR_KIND)
                .withPlural(AksManifests.SERVICE_MONITOR_PLURAL).withNamespaced(true).build()).inNamespace(ns);
        String what = "apply ServiceMonitor " + m.serviceName();
        GenericKubernetesResource prior = calls.call("read ServiceMonitor " + m.serviceName(), () -> monitors.withName(m.serviceName()).get());
        calls.run(what, () -> monitors.resource(monitor).createOr(NonDeletingOperation::update));
        undo.push(() -> calls.run("undo: " + what, () -> {
            if (prior == null) {
                monitors.withName(m.serviceName()).delete();
            } else {
                GenericKubernetesResource restored = new GenericKubernetesResourceBuilder()
                        .withApiVersion(prior.getApiVersion()).withKind(prior.getKind())
                        .withNewMetadata().withName(prior.getMetadata().getName()).withNamespace(ns)
                            .withLabels(prior.getMetadata().getLabels()).withAnnotations(prior.getMetadata().getAnnotations()).endMetadata()
                        .withAdditionalProperties(Map.of("spec", prior.getAdditionalProperties().getOrDefault("spec", Map.of())))
                        .build();
                monitors.resource(restored).createOr(NonDeletingOperation::update);
            }
        }));
    }

    void delete(String what, HasMetadata prior) {
        if (prior == null) {
            return;
        }
        calls.run(what, () -> client.resource(prior).inNamespace(ns).delete());
        undo.push(() -> restore(what, prior, prior));
    }

    /** Scales {@code color}'s Deployment (as {@code current} is) to {@code replicas}; its undo scales it back. */
    void scale(Color color, Deployment current, int replicas) {
        String name = m.deploymentName(color);
        Integer before = current.getSpec() == null ? null : current.getSpec().getReplicas();
        if (Objects.equals(before, replicas)) {
            return;
        }
        events.progress("scaling " + name + " to " + replicas + " replica(s)");
        setReplicas(name, replicas);
        undo.push(() -> setReplicas(name, before == null ? 1 : before));
    }

    private void setReplicas(String name, int replicas) {
        calls.run("scale Deployment " + name, () -> {
            Deployment latest = client.apps().deployments().inNamespace(ns).withName(name).get();
            if (latest == null) {
                return;
            }
            latest.getSpec().setReplicas(replicas);
            client.apps().deployments().inNamespace(ns).resource(latest).update();
        });
    }

    private void restore(String what, HasMetadata object, HasMetadata prior) {
        if (prior == null) {
            calls.run("undo: " + what, () -> client.resource(object).inNamespace(ns).delete());
        } else {
            HasMetadata clean = clean(prior);
            calls.run("undo: " + what, () -> client.resource(clean).inNamespace(ns).createOr(NonDeletingOperation::update));
        }
    }

    /** The object as it was, without what the server owns (version, uid, status), for re-applying. */
    static HasMetadata clean(HasMetadata prior) {
        ObjectMeta meta = new ObjectMetaBuilder()
                .withName(prior.getMetadata().getName())
                .withNamespace(prior.getMetadata().getNamespace())
                .withLabels(prior.getMetadata().getLabels())
                .withAnnotations(prior.getMetadata().getAnnotations())
                .build();
        if (prior instanceof Deployment d) {
            return new DeploymentBuilder().withMetadata(meta).withSpec(d.getSpec()).build();
        }
        if (prior instanceof Service s) {
            return new ServiceBuilder().withMetadata(meta).withSpec(s.getSpec()).build();
        }
        if (prior instanceof HorizontalPodAutoscaler h) {
            return new HorizontalPodAutoscalerBuilder().withMetadata(meta).withSpec(h.getSpec()).build();
        }
        if (prior instanceof PodDisruptionBudget p) {
            return new PodDisruptionBudgetBuilder().withMetadata(meta).withSpec(p.getSpec()).build();
        }
        if (prior instanceof Secret s) {
            return new SecretBuilder().withMetadata(meta).withType(s.getType()).withData(s.getData()).build();
        }
        throw new IllegalArgumentException("no restore for " + prior.getKind());
    }

    static String annotation(HasMetadata object, String key) {
        if (object == null || object.getMetadata() == null || object.getMetadata().getAnnotations() == null) {
            return null;
        }
        return object.getMetadata().getAnnotations().get(key);
    }
}
