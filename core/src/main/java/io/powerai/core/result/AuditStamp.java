package io.powerai.core.result;

/** The sequence number and hash of the audit record a stage run appended: what ties a result file to the log. */
public record AuditStamp(long seq, String hash) {
}
