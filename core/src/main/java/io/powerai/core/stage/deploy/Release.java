package io.powerai.core.stage.deploy;

/**
 * What a deployment puts into service: the scoring image pinned by digest, and what it is made of as the
 * scoringImage stage recorded it (model SHA-256, snapshot image; null when the image came from elsewhere), and
 * the build that deployed it (Jenkins' BUILD_TAG and BUILD_URL; null outside Jenkins). {@code imageWorkers} is the
 * scoring server's worker count fixed in the image (score.workers), null when the server picks it.
 * {@code metricsRecord} is the model's final metrics ({@link ModelMetrics#record}), which the promotion gate of a
 * later deploy compares against; null when not known.
 */
public record Release(String image, String modelSha256, String snapshotImage, String snapshotId, String buildTag,
                      String buildUrl, Integer imageWorkers, String metricsRecord) {

    public Release(String image, String modelSha256, String snapshotImage, String snapshotId, String buildTag, String buildUrl) {
        this(image, modelSha256, snapshotImage, snapshotId, buildTag, buildUrl, null, null);
    }

    public Release(String image, String modelSha256, String snapshotImage, String snapshotId, String buildTag, String buildUrl,
                   Integer imageWorkers) {
        this(image, modelSha256, snapshotImage, snapshotId, buildTag, buildUrl, imageWorkers, null);
    }

    /** The short model version that labels carry (a label value holds at most 63 characters). */
    public String modelVersion() {
        return modelSha256 == null ? null : modelSha256.substring(0, Math.min(12, modelSha256.length()));
    }

    /** The image's digest without its algorithm, shortened: a version label when the model is not known. */
    public String imageVersion() {
        int at = image.indexOf("@sha256:");
        return at < 0 ? null : image.substring(at + 8, Math.min(image.length(), at + 8 + 12));
    }
}
