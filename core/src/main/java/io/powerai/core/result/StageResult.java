package io.powerai.core.result;

/**
 * What every stage's result file holds, whatever the stage: the file's schema version, the stage's step name,
 * its status and the audit record the run appended. Each stage's result is an immutable record implementing this
 * (one per stage, in this package), written and read back only through {@link StageResults}, so that a field has
 * one name and one type for the stage that writes it and every reader (core, CLI, plugin).
 *
 * <p>Records here are plain data: no behaviour beyond derived views, no infrastructure types, so that any package
 * may read a result without depending on the stage that wrote it.
 */
public interface StageResult {
    /** The result file's schema: bumped only when a field changes meaning or type, never for an added field. */
    int CURRENT_SCHEMA_VERSION = 1;

    int schemaVersion();

    /** The step name of the stage that wrote it (amlEnvSnapshot, gpuTrain, scoringImage, aksDeploy). */
    String stage();

    /** succeeded, failed, rolled-back, kept... as the stage defines. */
    String status();

    /** The audit record this run appended; null only for results that appended none. */
    AuditStamp audit();

    default boolean succeeded() {
        return "succeeded".equals(status());
    }
}
