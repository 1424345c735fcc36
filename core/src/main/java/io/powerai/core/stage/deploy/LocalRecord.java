package io.powerai.core.stage.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.powerai.core.json.Json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a local deployment serves and served, carried by its own container as labels, as a Kubernetes Deployment carries
 * its {@code powerai.io/} annotations and the cluster keeps the ReplicaSets of earlier versions: the serving model's
 * SHA-256 and final metrics, since when it serves, and the versions that served before it with their times. A workspace
 * (cleared by every Jenkins build) is not needed to tell what serves or served at a time, nor the gate to find the
 * serving model's metric: {@code docker inspect} of the container answers. {@code served} is oldest first; the last
 * entry serves now ({@code until} null).
 */
public record LocalRecord(String container, List<Served> served) {
    public static final String METRICS = ModelMetrics.LOCAL_LABEL;
    public static final String MODEL_SHA256 = "io.powerai.model-sha256";
    public static final String SINCE = "io.powerai.since";
    public static final String SERVED_BEFORE = "io.powerai.served-before";
    /** The earlier versions a container remembers (Kubernetes keeps 10 old ReplicaSets by default). */
    static final int KEPT = 20;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** One version and the time it served; null values where not known. */
    public record Served(String image, String modelSha256, Map<String, Double> metrics, String since, String until) {
    }

    /**
     * The labels of a container that starts serving {@code image} at {@code now}, replacing the container whose record
     * labels are {@code previous} and which ran {@code previousImage} (null: nothing served): that version joins the
     * versions served before, the oldest dropped beyond {@link #KEPT} or when the label grows too long.
     */
    public static Map<String, String> next(Map<String, String> previous, String previousImage, String modelSha256,
                                           String metricsRecord, Instant now) {
        List<Served> before = new ArrayList<>(servedBefore(previous));
        if (previousImage != null) {
            before.add(new Served(previousImage, previous.get(MODEL_SHA256), ModelMetrics.parse(previous.get(METRICS)),
                    previous.get(SINCE), now.toString()));
        }
        while (before.size() > KEPT || (!before.isEmpty() && Json.canonical(before).length() > ModelMetrics.MAX_RECORD_CHARS)) {
            before.remove(0);
        }
        Map<String, String> labels = new TreeMap<>();
        if (metricsRecord != null) {
            labels.put(METRICS, metricsRecord);
        }
        if (modelSha256 != null && SHA256.matcher(modelSha256).matches()) {
            labels.put(MODEL_SHA256, modelSha256);
        }
        labels.put(SINCE, now.toString());
        if (!before.isEmpty()) {
            labels.put(SERVED_BEFORE, Json.canonical(before));
        }
        return labels;
    }

    /**
     * The record labels among {@code raw} (a container's labels, or what a run wrote down before replacing it), each
     * kept only in the form {@link #next} writes it: the in-flight file they may come back from lies in the workspace,
     * which a repository can plant.
     */
    public static Map<String, String> trusted(Object raw) {
        Map<String, String> out = new TreeMap<>();
        if (!(raw instanceof Map<?, ?> labels)) {
            return out;
        }
        Map<String, Double> metrics = labels.get(METRICS) instanceof String m ? ModelMetrics.parse(m) : null;
        String metricsRecord = ModelMetrics.record(metrics);
        if (metricsRecord != null) {
            out.put(METRICS, metricsRecord);
        }
        if (labels.get(MODEL_SHA256) instanceof String sha && SHA256.matcher(sha).matches()) {
            out.put(MODEL_SHA256, sha);
        }
        if (labels.get(SINCE) instanceof String since && instant(since) != null) {
            out.put(SINCE, since);
        }
        Map<String, String> strings = new TreeMap<>();
        labels.forEach((k, v) -> strings.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        List<Served> before = servedBefore(strings);
        if (!before.isEmpty()) {
            out.put(SERVED_BEFORE, Json.canonical(before));
        }
        return out;
    }

    /** The record a container carries: {@code image} its image, {@code labels} its labels. */
    public static LocalRecord of(String container, String image, Map<String, String> labels) {
        List<Served> served = new ArrayList<>(servedBefore(labels));
        served.add(new Served(image, labels.get(MODEL_SHA256), ModelMetrics.parse(labels.get(METRICS)), labels.get(SINCE), null));
        return new LocalRecord(container, List.copyOf(served));
    }

    /** The version that served at {@code at}; null when the record does not reach back that far. */
    public Served servedAt(Instant at) {
        Served found = null;
        for (Served s : served) {
            Instant since = instant(s.since());
            if (since != null && !since.isAfter(at)) {
                found = s;
            }
        }
        return found != null && found.until() != null && !instant(found.until()).isAfter(at) ? null : found;
    }

    private static List<Served> servedBefore(Map<String, String> labels) {
        String json = labels.get(SERVED_BEFORE);
        if (json == null || json.isBlank()) {
            return List.of();
        }
        List<Map<String, Object>> raw;
        try {
            raw = Json.mapper().readValue(json, new TypeReference<List<Map<String, Object>>>() { });
        } catch (JsonProcessingException e) {
            return List.of(); // as good as none: the record is a help, not a source of truth the deploy depends on
        }
        List<Served> out = new ArrayList<>();
        for (Map<String, Object> entry : raw) {
            if (entry == null || !(entry.get("image") instanceof String image) || instant(entry.get("since")) == null
                    || instant(entry.get("until")) == null) {
                continue;
            }
            Map<String, Double> metrics = entry.get("metrics") instanceof Map<?, ?> m ? numbers(m) : null;
            out.add(new Served(image, entry.get("modelSha256") instanceof String sha && SHA256.matcher(sha).matches() ? sha : null,
                    metrics, String.valueOf(entry.get("since")), String.valueOf(entry.get("until"))));
        }
        return out;
    }

    private static Map<String, Double> numbers(Map<?, ?> raw) {
        Map<String, Double> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                out.put(String.valueOf(k), n.doubleValue());
            }
        });
        return new TreeMap<>(out);
    }

    private static Instant instant(Object text) {
        try {
            return text instanceof String s ? Instant.parse(s) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
