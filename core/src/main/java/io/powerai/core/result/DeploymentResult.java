package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.powerai.core.spec.Stage;

import java.util.List;

/**
 * The deploy stage's result ({@code aksDeploy.json}), whatever the target and the action: a local deployment
 * (container, restart policy, metrics URL), a Kubernetes rollout, promote or rollback (cluster, namespace, colors,
 * {@link Serving}), either target's delete ({@code removed} locally, {@code deleted}/{@code leftAlone} on
 * Kubernetes), a deployment the promotion gate {@code kept} (the serving image in {@code image}, the refused one in
 * {@code candidateImage}), and a run recorded as {@code aborted} (reason, pid, startedAt, what the undo did).
 * One file holds the last of these, so one record reads each of them; absent fields are null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentResult(
        int schemaVersion,
        String stage,
        String status,
        String target,
        String action,
        String image,
        String candidateImage,
        String previousImage,
        String container,
        String restartPolicy,
        String cluster,
        String namespace,
        String service,
        String deployment,
        String color,
        Integer trafficPercent,
        String scoringUrl,
        String externalScoringUrl,
        String metricsUrl,
        Serving serving,
        String smokeTestAnswer,
        String gate,
        String failure,
        String rolledBackTo,
        String rollbackFailure,
        List<String> deleted,
        List<String> leftAlone,
        Boolean removed,
        String reason,
        Long pid,
        String startedAt,
        List<String> removedContainers,
        Long durationMillis,
        AuditStamp audit) implements StageResult {

    public static final String STAGE = Stage.DEPLOY.stepName();

    /** Started from {@link #builder}: the fields every deploy result has, the others set as the action needs. */
    public static Builder builder(String status, String target) {
        return new Builder(status, target);
    }

    /** The Kubernetes versions that serve; empty when nothing does or the target is local. */
    public List<ServingVersion> servingVersions() {
        return serving == null || serving.versions() == null ? List.of() : serving.versions();
    }

    /** Builds a result; a record of 34 fields is written field by field, not positionally. */
    public static final class Builder {
        private final String status;
        private final String target;
        private String action;
        private String image;
        private String candidateImage;
        private String previousImage;
        private String container;
        private String restartPolicy;
        private String cluster;
        private String namespace;
        private String service;
        private String deployment;
        private String color;
        private Integer trafficPercent;
        private String scoringUrl;
        private String externalScoringUrl;
        private String metricsUrl;
        private Serving serving;
        private String smokeTestAnswer;
        private String gate;
        private String failure;
        private String rolledBackTo;
        private List<String> deleted;
        private List<String> leftAlone;
        private Boolean removed;
        private Long durationMillis;

        private Builder(String status, String target) {
            this.status = status;
            this.target = target;
        }

        public Builder action(String value) { action = value; return this; }
        public Builder image(String value) { image = value; return this; }
        public Builder candidateImage(String value) { candidateImage = value; return this; }
        public Builder previousImage(String value) { previousImage = value; return this; }
        public Builder container(String value) { container = value; return this; }
        public Builder restartPolicy(String value) { restartPolicy = value; return this; }
        public Builder cluster(String value) { cluster = value; return this; }
        public Builder namespace(String value) { namespace = value; return this; }
        public Builder service(String value) { service = value; return this; }
        public Builder deployment(String value) { deployment = value; return this; }
        public Builder color(String value) { color = value; return this; }
        public Builder trafficPercent(Integer value) { trafficPercent = value; return this; }
        public Builder scoringUrl(String value) { scoringUrl = value; return this; }
        public Builder externalScoringUrl(String value) { externalScoringUrl = value; return this; }
        public Builder metricsUrl(String value) { metricsUrl = value; return this; }
        public Builder serving(List<ServingVersion> value) { serving = value == null ? null : Serving.of(value); return this; }
        public Builder smokeTestAnswer(String value) { smokeTestAnswer = value; return this; }
        public Builder gate(String value) { gate = value; return this; }
        public Builder failure(String value) { failure = value; return this; }
        public Builder rolledBackTo(String value) { rolledBackTo = value; return this; }
        public Builder deleted(List<String> value) { deleted = value == null ? null : List.copyOf(value); return this; }
        public Builder leftAlone(List<String> value) { leftAlone = value == null ? null : List.copyOf(value); return this; }
        public Builder removed(Boolean value) { removed = value; return this; }
        public Builder durationMillis(Long value) { durationMillis = value; return this; }

        public DeploymentResult build(AuditStamp audit) {
            return new DeploymentResult(CURRENT_SCHEMA_VERSION, STAGE, status, target, action, image, candidateImage,
                    previousImage, container, restartPolicy, cluster, namespace, service, deployment, color, trafficPercent,
                    scoringUrl, externalScoringUrl, metricsUrl, serving, smokeTestAnswer, gate, failure, rolledBackTo, null,
                    deleted, leftAlone, removed, null, null, null, null, durationMillis, audit);
        }
    }
}
