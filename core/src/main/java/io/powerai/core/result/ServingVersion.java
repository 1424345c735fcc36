package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One version that serves on Kubernetes after a deploy stage's action: its color and Deployment, its share of the
 * traffic, and what it runs as the Deployment's annotations record it (null when not recorded).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServingVersion(String color, String deployment, int trafficPercent, String image, String modelSha256,
                             String snapshotImage, String buildTag) {
}
