package io.powerai.jenkins.plugin.lineage;

import java.util.LinkedHashMap;
import java.util.Map;

/** One step of the chain environment -> model -> image -> deployment: the record that produced it, if any. */
public final class ChainNode {
    /** The four things the chain links, in order, with the stage that produces each. */
    public enum Role {
        ENVIRONMENT("Environment", "amlEnvSnapshot"),
        MODEL("Model", "gpuTrain"),
        IMAGE("Scoring image", "scoringImage"),
        DEPLOYMENT("Deployment", "aksDeploy");

        private final String label;
        private final String stage;

        Role(String label, String stage) {
            this.label = label;
            this.stage = stage;
        }

        public String label() {
            return label;
        }

        public String stage() {
            return stage;
        }
    }

    private final Role role;
    private final LineageRecord record;
    private final String value;

    ChainNode(Role role, LineageRecord record, String value) {
        this.role = role;
        this.record = record;
        this.value = value;
    }

    public Role getRole() {
        return role;
    }

    public String getLabel() {
        return role.label();
    }

    public String getStage() {
        return role.stage();
    }

    public boolean isPresent() {
        return record != null;
    }

    /** The record's sequence number, or 0 when no record produced this step. */
    public long getSeq() {
        return record == null ? 0 : record.getSeq();
    }

    /** What it is, by digest: the image pinned by digest, the model file and its SHA-256, the endpoint and image. */
    public String getValue() {
        return value;
    }

    public String getShortValue() {
        return Digest.shorten(value);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role.name().toLowerCase(java.util.Locale.ROOT));
        map.put("stage", role.stage());
        map.put("seq", record == null ? null : record.getSeq());
        map.put("value", value);
        return map;
    }
}
