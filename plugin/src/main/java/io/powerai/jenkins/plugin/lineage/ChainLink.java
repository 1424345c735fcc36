package io.powerai.jenkins.plugin.lineage;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Whether what one stage consumed is, by digest, what the stage before it produced. */
public final class ChainLink {
    public enum Status {
        /** The digests match. */
        LINKED,
        /** The stage before ran, but produced something else than what this stage consumed. */
        MISMATCH,
        /** No record of the stage before: what this stage consumed came from outside this log. */
        MISSING,
        /** This stage has not run (yet): nothing to link. */
        NOT_RUN,
        /** Cannot be checked: the stage after it is not traced to a record. */
        UNKNOWN
    }

    private final ChainNode.Role from;
    private final ChainNode.Role to;
    private final Status status;
    private final String message;

    ChainLink(ChainNode.Role from, ChainNode.Role to, Status status, String message) {
        this.from = from;
        this.to = to;
        this.status = status;
        this.message = message;
    }

    public ChainNode.Role getFrom() {
        return from;
    }

    public ChainNode.Role getTo() {
        return to;
    }

    public Status getStatus() {
        return status;
    }

    public boolean isLinked() {
        return status == Status.LINKED;
    }

    public String getMessage() {
        return message;
    }

    public String getTitle() {
        return from.label() + " \u2192 " + to.label();
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("from", from.name().toLowerCase(Locale.ROOT));
        map.put("to", to.name().toLowerCase(Locale.ROOT));
        map.put("status", status.name().toLowerCase(Locale.ROOT));
        map.put("message", message);
        return map;
    }
}
