package io.powerai.core.audit;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;
import java.util.TreeMap;

/**
 * One record of the audit log, as written and as read back: what a stage recorded ({@link AuditLog.Entry}), where it
 * stands in the chain ({@code seq}, {@code prev}, {@code hash}) and which form its hash was computed over
 * ({@code hashForm}: {@code "jcs"}, RFC 8785, on every record written now; absent on records written before, which
 * were hashed over Jackson's key-sorted compact form: see {@link HashForm}).
 *
 * <p>Read leniently in fields (one a newer powerai adds is ignored here, though still hashed by
 * {@link AuditLog#verify()}, which hashes the line as written, never this record), strictly in types.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditRecord(int schemaVersion, long seq, String time, String stage, String status, Map<String, String> inputs,
                          Map<String, String> outputs, Map<String, Object> details, String prev, String hash, String hashForm) {
    public static final int SCHEMA_VERSION = 1;

    public AuditRecord {
        inputs = inputs == null ? Map.of() : new TreeMap<>(inputs);
        outputs = outputs == null ? Map.of() : new TreeMap<>(outputs);
        details = details == null ? Map.of() : new TreeMap<>(details);
    }

    /** A record about to be appended: everything but its hash, which is computed over the rest. */
    static AuditRecord unhashed(long seq, String time, AuditLog.Entry entry, String prev) {
        return new AuditRecord(SCHEMA_VERSION, seq, time, entry.stage(), entry.status(), entry.inputs(), entry.outputs(),
                entry.details(), prev, null, HashForm.JCS.field());
    }

    AuditRecord withHash(String value) {
        return new AuditRecord(schemaVersion, seq, time, stage, status, inputs, outputs, details, prev, value, hashForm);
    }

    /** What the stage recorded, without its place in the chain. */
    public AuditLog.Entry entry() {
        return new AuditLog.Entry(stage, status, inputs, outputs, details);
    }
}
