package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.powerai.core.PowerAiException;
import io.powerai.core.spec.AksSettings;

/**
 * Which color the Service sends traffic to ({@link TrafficState}, kept in its annotations), and the switch: the
 * Service's selector first, then the autoscaler, then the other color's size. Each change goes through
 * {@link ClusterObjects}, so the undo journal can put it back.
 */
final class TrafficSwitch {
    private final ClusterObjects objects;
    private final AksManifests m;
    private final AksSettings settings;
    private final String stage;

    TrafficSwitch(ClusterObjects objects, AksManifests m, AksSettings settings, String stage) {
        this.objects = objects;
        this.m = m;
        this.settings = settings;
        this.stage = stage;
    }

    /** The traffic state the Service records; null when there is no Service yet. */
    TrafficState stateOf(Service service) {
        if (service == null) {
            return null;
        }
        TrafficState state = TrafficState.of(service.getMetadata().getAnnotations());
        if (state == null) {
            throw PowerAiException.InvalidInput.bare("Service " + m.namespace() + "/" + m.serviceName()
                    + " exists but powerai did not make it (no " + AksManifests.LIVE_COLOR + " annotation); "
                    + "choose another 'name' or 'namespace', or remove it");
        }
        return state;
    }

    /** As {@link #stateOf}, for actions that need a deployment to act on. */
    TrafficState requireState(Service service) {
        if (service == null) {
            throw PowerAiException.InvalidInput.bare("no Service " + m.namespace() + "/" + m.serviceName()
                    + " in the cluster: deploy first");
        }
        return stateOf(service);
    }

    /** Points the Service at {@code next}, then moves the autoscaler and scales the other color. */
    void switchTo(TrafficState next, Service priorService, HorizontalPodAutoscaler priorHpa, Color other,
                  Deployment otherDeployment, int otherReplicas) {
        objects.apply("switch Service " + m.serviceName() + " to " + describe(next), keepClusterFields(m.service(next), priorService),
                priorService);
        if (next.split()) {
            // One autoscaler per Service: during a split it would undo the ratio, so it pauses until promote or rollback.
            objects.delete("remove HorizontalPodAutoscaler " + m.serviceName() + " during the split", priorHpa);
        } else if (settings.autoscaleEnabled()) {
            objects.apply("point HorizontalPodAutoscaler " + m.serviceName() + " at " + m.deploymentName(next.live()),
                    m.autoscaler(next.live()), priorHpa);
        } else {
            objects.delete("remove HorizontalPodAutoscaler " + m.serviceName() + " (autoscale_enabled is false)", priorHpa);
        }
        if (otherDeployment != null && other != null) {
            objects.scale(other, otherDeployment, otherReplicas);
        }
    }

    private static Service keepClusterFields(Service rendered, Service prior) {
        if (prior == null || prior.getSpec() == null) {
            return rendered;
        }
        // Keep what the cluster allocated (cluster IP, node ports): a replace must not ask for new ones.
        Service merged = new ServiceBuilder(rendered).build();
        merged.getSpec().setClusterIP(prior.getSpec().getClusterIP());
        merged.getSpec().setClusterIPs(prior.getSpec().getClusterIPs());
        if (prior.getSpec().getPorts() != null && prior.getSpec().getPorts().size() == merged.getSpec().getPorts().size()) {
            for (int i = 0; i < prior.getSpec().getPorts().size(); i++) {
                merged.getSpec().getPorts().get(i).setNodePort(prior.getSpec().getPorts().get(i).getNodePort());
            }
        }
        return merged;
    }

    static String describe(TrafficState state) {
        if (!state.split()) {
            return state.live() + " 100%";
        }
        return state.live() + " " + (100 - state.candidatePercent()) + "%, " + state.candidate() + " " + state.candidatePercent() + "%";
    }
}
