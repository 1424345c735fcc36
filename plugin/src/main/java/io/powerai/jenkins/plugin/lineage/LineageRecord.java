package io.powerai.jenkins.plugin.lineage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One line of the audit log as the lineage page shows it. Getters are JavaBeans-style because Jelly reads them.
 */
public final class LineageRecord {
    /** How far the record can be trusted, given where verification stopped. */
    public enum Trust {
        VERIFIED, BROKEN, UNVERIFIED
    }

    private final long seq;
    private final String stage;
    private final String status;
    private final String time;
    private final SortedMap<String, String> inputs;
    private final SortedMap<String, String> outputs;
    private final Map<String, Object> details;
    private final String hash;
    private final Trust trust;

    LineageRecord(long seq, String stage, String status, String time, Map<String, String> inputs,
                  Map<String, String> outputs, Map<String, Object> details, String hash, Trust trust) {
        this.seq = seq;
        this.stage = stage;
        this.status = status;
        this.time = time;
        this.inputs = Collections.unmodifiableSortedMap(new TreeMap<>(inputs));
        this.outputs = Collections.unmodifiableSortedMap(new TreeMap<>(outputs));
        this.details = Collections.unmodifiableMap(new TreeMap<>(details));
        this.hash = hash;
        this.trust = trust;
    }

    public long getSeq() {
        return seq;
    }

    public String getStage() {
        return stage;
    }

    public String getStatus() {
        return status;
    }

    public boolean isSucceeded() {
        return "succeeded".equals(status);
    }

    public String getTime() {
        return time;
    }

    public SortedMap<String, String> getInputs() {
        return inputs;
    }

    public SortedMap<String, String> getOutputs() {
        return outputs;
    }

    public Map<String, Object> getDetails() {
        return details;
    }

    /** Why the stage failed or was rolled back, when it did. */
    public String getFailure() {
        Object failure = details.get("failure");
        return failure == null ? null : String.valueOf(failure);
    }

    public String getHash() {
        return hash;
    }

    public Trust getTrust() {
        return trust;
    }

    public List<Item> getInputItems() {
        return items(inputs);
    }

    public List<Item> getOutputItems() {
        return items(outputs);
    }

    private static List<Item> items(Map<String, String> map) {
        List<Item> items = new ArrayList<>();
        map.forEach((name, value) -> items.add(new Item(name, value)));
        return items;
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("seq", seq);
        map.put("stage", stage);
        map.put("status", status);
        map.put("time", time);
        map.put("inputs", inputs);
        map.put("outputs", outputs);
        map.put("failure", getFailure());
        map.put("hash", hash);
        map.put("trust", trust.name().toLowerCase(java.util.Locale.ROOT));
        return map;
    }

    /** A named input or output; the value is a digest or a reference pinned by digest. */
    public static final class Item {
        private final String name;
        private final String value;

        Item(String name, String value) {
            this.name = name;
            this.value = value;
        }

        public String getName() {
            return name;
        }

        public String getValue() {
            return value;
        }

        /** The value with its digest cut to 12 hex digits, for a table; the page shows the full value on hover. */
        public String getShortValue() {
            return Digest.shorten(value);
        }
    }
}
