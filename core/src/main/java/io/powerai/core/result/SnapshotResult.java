package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What {@code amlEnvSnapshot} leaves in {@code .powerai/amlEnvSnapshot.json}: the snapshot's id, the image pushed
 * (pinned by digest, and by its tag), the base it was built on, and where its Dockerfile, manifest and lock files
 * are (relative to {@code .powerai/}). A run recorded as aborted holds only the common fields.
 *
 * @param image the pushed image pinned by digest: what training and scoring run in
 * @param imageTag the same image by its tag, the snapshot id
 * @param built false when the registry already had the image for the same inputs
 * @param gpuStack the GPU stack of the host the snapshot was taken on; absent on a host without GPUs
 * @param warnings how many warnings the spec gave
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotResult(int schemaVersion, String stage, String status, AuditStamp audit,
                             String snapshotId, String image, String imageTag, String digest,
                             String baseImage, String baseImageDigest, Boolean built,
                             String dockerfile, String manifest, List<String> lockFiles, Integer packages,
                             RecordedGpuStack gpuStack, Integer warnings, Attestations attestations, Long durationMillis)
        implements StageResult {
    public SnapshotResult {
        lockFiles = lockFiles == null ? null : List.copyOf(lockFiles);
    }
}
