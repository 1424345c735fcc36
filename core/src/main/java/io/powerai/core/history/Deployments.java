package io.powerai.core.history;

import io.powerai.core.audit.AuditRecord;
import io.powerai.core.history.RunHistory.Deployment;
import io.powerai.core.result.ServingVersion;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The deploy records of any target, read from audit records into {@link Deployment}s, and what served where at a time.
 * One model under both views: {@code powerai history} (every target, several runs) and {@code powerai deploy history}
 * (one service on AKS, see {@link AksHistory}).
 */
public final class Deployments {
    static final String STEP = "aksDeploy";

    private Deployments() {
    }

    /**
     * The deploy records among {@code records}, oldest first (by time, then by their place in the log); a record whose
     * time cannot be read is left out (`powerai audit verify` reports a broken log; history shows what it can read).
     */
    public static List<Deployment> fromRecords(List<AuditRecord> records) {
        List<Deployment> out = new ArrayList<>();
        for (AuditRecord record : records) {
            if (!STEP.equals(record.stage()) || instant(record.time()) == null) {
                continue;
            }
            out.add(of(record));
        }
        out.sort(Comparator.comparing((Deployment d) -> instant(d.time())).thenComparingLong(Deployment::seq));
        return out;
    }

    /** The deployments of {@code target} ("aks", "local"), of {@code service} unless null. */
    public static List<Deployment> of(List<Deployment> all, String target, String service) {
        return all.stream().filter(d -> target.equals(d.target()) && (service == null || service.equals(d.service()))).toList();
    }

    /** Per place ({@link Deployment#where}), the last deployment at or before {@code at}: what served there then. */
    public static Map<String, Deployment> servingAt(List<Deployment> deployments, Instant at) {
        Map<String, Deployment> out = new TreeMap<>();
        for (Deployment d : deployments) {
            Instant time = instant(d.time());
            if (time != null && !time.isAfter(at)) {
                out.put(d.where(), d);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Deployment of(AuditRecord r) {
        Map<String, Object> d = r.details();
        String target = String.valueOf(d.getOrDefault("target", "?"));
        String namespace = str(d.get("namespace"));
        String service = str(d.get("service"));
        String where = "aks".equals(target) ? namespace + "/" + service : str(d.getOrDefault("container", d.get("url")));
        String failure = str(d.get("failure"));
        String note = d.get("gate") != null ? str(d.get("gate"))
                : d.get("rolledBackTo") != null ? "rolled back to " + d.get("rolledBackTo") : failure;
        List<Map<String, Object>> serving;
        if (d.get("serving") instanceof List<?> list) {
            serving = (List<Map<String, Object>>) list;
        } else {
            serving = servingOfLocal(r, d);
        }
        return new Deployment(r.time(), r.seq(), target, where, namespace, service, str(d.getOrDefault("action", "deploy")),
                r.status(), r.inputs().get("image"), serving, note, failure);
    }

    /**
     * What a local deploy record leaves serving: its image when it succeeded, the image it rolled back to, the one the
     * gate kept, or what an aborted run left (its record names it, "" for nothing); nothing after a delete or a failure.
     */
    private static List<Map<String, Object>> servingOfLocal(AuditRecord r, Map<String, Object> d) {
        String image = "delete".equals(d.get("action")) ? null
                : d.get("rolledBackTo") != null ? str(d.get("rolledBackTo"))
                : "kept".equals(r.status()) ? str(d.get("servingImage"))
                : d.get("serving") instanceof String s ? s
                : "succeeded".equals(r.status()) ? r.inputs().get("image") : null;
        return image == null || image.isEmpty() ? List.of() : List.of(Map.of("image", image));
    }

    /**
     * "blue 80% IMAGE model M; green 20% ..." for AKS, "IMAGE model M" for a local container (with its metrics where the
     * container's own record gives them), or "nothing serves".
     */
    public static String describeServing(List<Map<String, Object>> serving) {
        if (serving.isEmpty()) {
            return "nothing serves";
        }
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> v : serving) {
            String version = version(str(v.get("image")), str(v.get("modelSha256")), str(v.get("snapshotImage")), str(v.get("buildTag")))
                    + (v.get("metrics") == null ? "" : " " + v.get("metrics"));
            parts.add(v.get("color") == null ? version : v.get("color") + " " + v.get("trafficPercent") + "% " + version);
        }
        return String.join("; ", parts);
    }

    /** As {@link #describeServing}, for a deploy result's typed versions. */
    public static String describeVersions(List<ServingVersion> serving) {
        return serving.isEmpty() ? "nothing serves" : String.join("; ", serving.stream().map(v -> v.color() + " " + v.trafficPercent()
                + "% " + version(v.image(), v.modelSha256(), v.snapshotImage(), v.buildTag())).toList());
    }

    static String version(String image, String model, String snapshot, String build) {
        StringBuilder out = new StringBuilder(image == null ? "(image unknown)" : image);
        out.append(" model ").append(model == null ? "unknown" : model);
        if (snapshot != null) {
            out.append(" snapshot ").append(snapshot);
        }
        if (build != null) {
            out.append(" build ").append(build);
        }
        return out.toString();
    }

    static Instant instant(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
