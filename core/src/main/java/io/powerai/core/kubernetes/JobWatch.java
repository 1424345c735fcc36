package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.event.StageEvents;
import io.powerai.core.spec.Durations;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Waits for a training Job by polling it and its pod: the training container's end (its exit code and reason,
 * e.g. OOMKilled), the Job's own verdict (succeeded, or failed: BackoffLimitExceeded, DeadlineExceeded), a pod that
 * cannot start (image pull, configuration) or cannot be scheduled, and two timeouts of its own: how long the pod may
 * take to start, and how long the training may run once it has.
 * <p>
 * The pod's keeper container outlives the training (it holds the outputs until they are copied), so the Job does not
 * finish when the training does: the training container's state is what ends the wait.
 */
public final class JobWatch {
    /** Waiting reasons of a container that do not heal by waiting. */
    static final Set<String> CANNOT_START = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    /** How the wait ended. */
    public enum Kind {
        /** The training container exited 0, or the Job succeeded. */
        SUCCEEDED,
        /** The training container exited non-zero, the pod failed (evicted), or the Job failed. */
        FAILED,
        /** The training ran past its timeout (ours), or the cluster stopped the Job at its deadline. */
        TIMED_OUT,
        /** The pod could not start its containers (image pull, configuration): nothing ran. */
        NOT_STARTED,
        /** No node took the pod within the start timeout: nothing ran. */
        UNSCHEDULABLE
    }

    /**
     * @param exitCode the training container's exit code, or null when unknown
     * @param reason   Kubernetes' word: the container's (OOMKilled, Error, Completed), the Job's (BackoffLimitExceeded,
     *                 DeadlineExceeded), a waiting reason (ImagePullBackOff), or powerai's (Timeout, StartTimeout)
     * @param message  the details, one line, or null
     * @param pod      the pod's name, or null when there was none
     * @param node     the node the pod ran on, or null
     */
    public record Ended(Kind kind, Integer exitCode, String reason, String message, String pod, String node) {
    }

    private final KubernetesClient client;
    private final KubeCalls calls;
    private final Timing timing;
    private final Duration poll;
    private final StageEvents events;
    private final String stage;

    public JobWatch(KubernetesClient client, KubeCalls calls, Timing timing, Duration poll, StageEvents events, String stage) {
        this.client = client;
        this.calls = calls;
        this.timing = timing;
        this.poll = poll;
        this.events = events;
        this.stage = stage;
    }

    /**
     * Waits until the training container ends or the Job is decided; {@code onRunning} gets the pod's name once,
     * when the training container is first seen running.
     */
    public Ended await(String namespace, String jobName, Map<String, String> podSelector, String container,
                       Duration startTimeout, Duration runTimeout, Consumer<String> onRunning) {
        long started = timing.nanoTime();
        Long runningSince = null;
        String lastProgress = null;
        while (true) {
            Job job = calls.call("read Job " + namespace + "/" + jobName,
                    () -> client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get());
            if (job == null) {
                return new Ended(Kind.FAILED, null, "JobDeleted", "the Job " + namespace + "/" + jobName
                        + " was deleted while it ran (by someone else?)", null, null);
            }
            Pod pod = newest(calls.call("list the pods of Job " + jobName,
                    () -> client.pods().inNamespace(namespace).withLabels(podSelector).list().getItems()));
            String podName = pod == null ? null : pod.getMetadata().getName();
            String node = pod == null || pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            ContainerState state = state(pod, container);

            if (state != null && state.getTerminated() != null) {
                var t = state.getTerminated();
                int exit = t.getExitCode() == null ? -1 : t.getExitCode();
                return new Ended(exit == 0 ? Kind.SUCCEEDED : Kind.FAILED, exit, t.getReason(), oneLine(t.getMessage()), podName, node);
            }
            JobCondition failed = condition(job, "Failed");
            if (failed != null) {
                Kind kind = "DeadlineExceeded".equals(failed.getReason()) ? Kind.TIMED_OUT : Kind.FAILED;
                return new Ended(kind, null, failed.getReason(), oneLine(failed.getMessage()), podName, node);
            }
            if (job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0) {
                return new Ended(Kind.SUCCEEDED, 0, "Completed", null, podName, node);
            }
            if (state != null && state.getWaiting() != null && CANNOT_START.contains(state.getWaiting().getReason())) {
                return new Ended(Kind.NOT_STARTED, null, state.getWaiting().getReason(), oneLine(state.getWaiting().getMessage()),
                        podName, node);
            }
            if (pod != null && pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase())) {
                return new Ended(Kind.FAILED, null, Objects.toString(pod.getStatus().getReason(), "PodFailed"),
                        oneLine(pod.getStatus().getMessage()), podName, node);
            }
            long now = timing.nanoTime();
            if (state != null && state.getRunning() != null && runningSince == null) {
                runningSince = now;
                events.progress("training started in pod " + podName + (node == null ? "" : " on node " + node)
                        + "; timeout " + Durations.format(runTimeout));
                onRunning.accept(podName);
            }
            if (runningSince != null && now - runningSince >= runTimeout.toNanos()) {
                return new Ended(Kind.TIMED_OUT, null, "Timeout", "ran past the timeout of " + Durations.format(runTimeout),
                        podName, node);
            }
            String unschedulable = unschedulable(pod);
            if (runningSince == null && now - started >= startTimeout.toNanos()) {
                String why = unschedulable != null ? unschedulable : waiting(pod, podName, state);
                return new Ended(unschedulable != null ? Kind.UNSCHEDULABLE : Kind.NOT_STARTED, null, "StartTimeout",
                        "did not start within " + Durations.format(startTimeout) + ": " + why, podName, node);
            }
            if (runningSince == null) {
                String progress = unschedulable != null ? "waiting for a node: " + unschedulable : waiting(pod, podName, state);
                if (!progress.equals(lastProgress)) {
                    events.progress(progress);
                    lastProgress = progress;
                }
            }
            timing.pause(poll, stage, "waiting for Job " + jobName);
        }
    }

    private static Pod newest(List<Pod> pods) {
        return pods.stream()
                .filter(p -> p.getMetadata() != null && p.getMetadata().getName() != null)
                .max(Comparator.comparing((Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))
                        .thenComparing(p -> p.getMetadata().getName()))
                .orElse(null);
    }

    private static ContainerState state(Pod pod, String container) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (container.equals(cs.getName())) {
                return cs.getState();
            }
        }
        return null;
    }

    private static JobCondition condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if (type.equals(c.getType()) && "True".equals(c.getStatus())) {
                return c;
            }
        }
        return null;
    }

    /** The scheduler's message when it cannot place the pod ("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."). */
    private static String unschedulable(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                return Objects.toString(oneLine(c.getMessage()), "Unschedulable");
            }
        }
        return null;
    }

    private static String waiting(Pod pod, String podName, ContainerState state) {
        if (pod == null) {
            return "waiting for the Job's pod to be created";
        }
        if (state != null && state.getWaiting() != null) {
            return "pod " + podName + ": " + state.getWaiting().getReason()
                    + (state.getWaiting().getMessage() == null ? "" : " (" + oneLine(state.getWaiting().getMessage()) + ")");
        }
        return "pod " + podName + " is " + (pod.getStatus() == null ? "Pending" : Objects.toString(pod.getStatus().getPhase(), "Pending"));
    }

    private static String oneLine(String text) {
        return text == null || text.isBlank() ? null : KubeCalls.oneLine(text);
    }
}
