package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.kubernetes.Timing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Waits until a Deployment has rolled out, as {@code kubectl rollout status} judges it: the controller has seen
 * the latest spec (observedGeneration), every replica runs the new template (updatedReplicas), no old replica is
 * left (replicas), and all are available (availableReplicas). Pods that cannot start end the wait at once
 * instead of at the timeout: a container waiting in CrashLoopBackOff (init() raised, the server crashed) or
 * unable to get its image.
 */
final class RolloutWait {
    /** Waiting reasons that do not heal by waiting. */
    static final Set<String> FATAL_REASONS = Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
            "InvalidImageName", "CreateContainerConfigError", "CreateContainerError");

    private final KubernetesClient client;
    private final KubeCalls calls;
    private final Timing timing;
    private final Duration poll;
    private final StageEvents events;
    private final String stage;

    RolloutWait(KubernetesClient client, KubeCalls calls, Timing timing, Duration poll, StageEvents events, String stage) {
        this.client = client;
        this.calls = calls;
        this.timing = timing;
        this.poll = poll;
        this.events = events;
        this.stage = stage;
    }

    /** Returns when rolled out; throws {@link PowerAiException.StageFailed} on a fatal pod state or at the timeout. */
    void await(String namespace, String name, Map<String, String> podSelector, Duration timeout) {
        long deadline = timing.nanoTime() + timeout.toNanos();
        String lastProgress = null;
        while (true) {
            Deployment deployment = calls.call("read Deployment " + name,
                    () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
            if (deployment == null) {
                throw PowerAiException.StageFailed.bare("Deployment " + namespace + "/" + name
                        + " disappeared during its rollout (deleted by someone else?)");
            }
            String fatal = fatalPodState(namespace, podSelector);
            if (fatal != null) {
                throw PowerAiException.StageFailed.bare("rollout of " + name + " failed: " + fatal);
            }
            String deadlineExceeded = progressDeadlineExceeded(deployment.getStatus());
            if (deadlineExceeded != null) {
                throw PowerAiException.StageFailed.bare("rollout of " + name + " failed: " + deadlineExceeded);
            }
            String progress = progress(deployment);
            if (progress == null) {
                return;
            }
            if (!progress.equals(lastProgress)) {
                events.progress("waiting for " + name + ": " + progress);
                lastProgress = progress;
            }
            if (timing.nanoTime() >= deadline) {
                throw PowerAiException.StageFailed.bare("rollout of " + name + " did not finish within "
                        + timeout.toSeconds() + " s (" + progress + "); raise ready_timeout if the image is large");
            }
            timing.pause(poll, stage, "waiting for the rollout of " + name);
        }
    }

    /** What is still missing, or null when the Deployment has rolled out. */
    static String progress(Deployment deployment) {
        int desired = deployment.getSpec() != null && deployment.getSpec().getReplicas() != null ? deployment.getSpec().getReplicas() : 1;
        DeploymentStatus status = deployment.getStatus();
        Long generation = deployment.getMetadata().getGeneration();
        Long observed = status == null ? null : status.getObservedGeneration();
        if (generation != null && (observed == null || observed < generation)) {
            return "the controller has not seen the new spec yet";
        }
        int updated = count(status == null ? null : status.getUpdatedReplicas());
        int total = count(status == null ? null : status.getReplicas());
        int available = count(status == null ? null : status.getAvailableReplicas());
        if (updated < desired) {
            return updated + " of " + desired + " replicas updated";
        }
        if (total > updated) {
            return (total - updated) + " old replicas pending termination";
        }
        if (available < desired) {
            return available + " of " + desired + " updated replicas available";
        }
        return null;
    }

    private static String progressDeadlineExceeded(DeploymentStatus status) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        for (DeploymentCondition condition : status.getConditions()) {
            if ("Progressing".equals(condition.getType()) && "False".equals(condition.getStatus())
                    && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                return "progress deadline exceeded: " + Objects.toString(condition.getMessage(), "");
            }
        }
        return null;
    }

    private String fatalPodState(String namespace, Map<String, String> selector) {
        List<Pod> pods = calls.call("list the pods of the rollout",
                () -> client.pods().inNamespace(namespace).withLabels(selector).list().getItems());
        for (Pod pod : pods) {
            if (pod.getStatus() == null) {
                continue;
            }
            List<ContainerStatus> statuses = new ArrayList<>();
            if (pod.getStatus().getInitContainerStatuses() != null) {
                statuses.addAll(pod.getStatus().getInitContainerStatuses());
            }
            if (pod.getStatus().getContainerStatuses() != null) {
                statuses.addAll(pod.getStatus().getContainerStatuses());
            }
            for (ContainerStatus cs : statuses) {
                if (cs.getState() != null && cs.getState().getWaiting() != null
                        && FATAL_REASONS.contains(cs.getState().getWaiting().getReason())) {
                    String message = cs.getState().getWaiting().getMessage();
                    return "pod " + pod.getMetadata().getName() + " container " + cs.getName() + " is in "
                            + cs.getState().getWaiting().getReason()
                            + (cs.getRestartCount() != null && cs.getRestartCount() > 0 ? " after " + cs.getRestartCount() + " restart(s)" : "")
                            + (message == null || message.isBlank() ? "" : ": " + KubeCalls.oneLine(message));
                }
            }
        }
        return null;
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }
}
