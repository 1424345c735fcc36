package io.powerai.core.deploy;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.audit.AuditRecord;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.result.ServingVersion;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which image, model and snapshot served where and when, from two sources that answer different questions:
 * <ul>
 *   <li>the audit log: every deploy, promote and rollback of target aks records what served afterwards
 *       ({@code details.serving}), with its time, so "what served in namespace N at time T" is the last record
 *       at or before T;</li>
 *   <li>the cluster's own revision history: the ReplicaSets of both colors keep each version's image, model,
 *       snapshot and build annotations and their creation time (up to revisionHistoryLimit of them). They show
 *       when each color got which version, not which color took the traffic.</li>
 * </ul>
 */
public final class DeployHistory {

    /** One recorded change of what serves. {@code serving} is what served after it (empty: nothing, or unknown). */
    public record Change(Instant time, long seq, String namespace, String service, String action, String status,
                         List<Map<String, Object>> serving, String failure) {
    }

    /** One ReplicaSet of a color: a version as the cluster remembers it. */
    public record Revision(Instant created, String namespace, String deployment, String revision, int replicas, String image,
                           String modelSha256, String snapshotImage, String buildTag) {
    }

    private DeployHistory() {
    }

    /** The aks records of {@code service} in the audit log, oldest first. */
    @SuppressWarnings("unchecked")
    public static List<Change> fromAudit(Path auditFile, String service) {
        // `powerai audit verify` reports a broken line; history shows what it can read
        return fromRecords(new AuditLog(auditFile, Clock.systemUTC()).records(), service);
    }

    /** As {@link #fromAudit}, over records read already (e.g. from the audit logs of several archived runs). */
    @SuppressWarnings("unchecked")
    public static List<Change> fromRecords(List<AuditRecord> records, String service) {
        List<Change> out = new ArrayList<>();
        for (AuditRecord record : records) {
            Map<String, Object> details = record.details();
            if (!AksDeployment.STAGE.stepName().equals(record.stage()) || !"aks".equals(details.get("target"))
                    || (service != null && !service.equals(details.get("service")))) {
                continue;
            }
            Instant time;
            try {
                time = Instant.parse(String.valueOf(record.time()));
            } catch (DateTimeParseException e) {
                continue;
            }
            List<Map<String, Object>> serving = details.get("serving") instanceof List<?> list
                    ? (List<Map<String, Object>>) list : List.of();
            out.add(new Change(time, record.seq(), String.valueOf(details.get("namespace")), String.valueOf(details.get("service")),
                    String.valueOf(details.get("action")), String.valueOf(record.status()), serving,
                    details.get("failure") == null ? null : String.valueOf(details.get("failure"))));
        }
        out.sort(Comparator.comparing(Change::time).thenComparingLong(Change::seq));
        return out;
    }

    /** Per namespace, the last change at or before {@code at}: what served then. */
    public static Map<String, Change> servingAt(List<Change> changes, Instant at) {
        Map<String, Change> out = new TreeMap<>();
        for (Change change : changes) {
            if (!change.time().isAfter(at)) {
                out.put(change.namespace(), change);
            }
        }
        return out;
    }

    /** The ReplicaSets of both colors of {@code name} in {@code namespace}, oldest first. */
    public static List<Revision> fromCluster(KubernetesClient client, String namespace, String name) {
        List<Revision> out = new ArrayList<>();
        for (ReplicaSet rs : client.apps().replicaSets().inNamespace(namespace)
                .withLabel(AksManifests.NAME, name).withLabel(AksManifests.MANAGED_BY, "powerai").list().getItems()) {
            Map<String, String> annotations = rs.getSpec() != null && rs.getSpec().getTemplate() != null
                    && rs.getSpec().getTemplate().getMetadata() != null && rs.getSpec().getTemplate().getMetadata().getAnnotations() != null
                    ? rs.getSpec().getTemplate().getMetadata().getAnnotations() : Map.of();
            String deployment = rs.getMetadata().getOwnerReferences() == null ? null : rs.getMetadata().getOwnerReferences().stream()
                    .filter(o -> "Deployment".equals(o.getKind())).map(OwnerReference::getName).findFirst().orElse(null);
            Map<String, String> rsAnnotations = rs.getMetadata().getAnnotations() == null ? Map.of() : rs.getMetadata().getAnnotations();
            Instant created = rs.getMetadata().getCreationTimestamp() == null ? Instant.EPOCH
                    : Instant.parse(rs.getMetadata().getCreationTimestamp());
            out.add(new Revision(created, namespace, deployment != null ? deployment : rs.getMetadata().getName(),
                    rsAnnotations.getOrDefault("deployment.kubernetes.io/revision", "?"),
                    rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas(),
                    annotations.getOrDefault(AksManifests.IMAGE, imageOf(rs)), annotations.get(AksManifests.MODEL_SHA256),
                    annotations.get(AksManifests.SNAPSHOT_IMAGE), annotations.get(AksManifests.BUILD_TAG)));
        }
        out.sort(Comparator.comparing(Revision::created).thenComparing(Revision::deployment).thenComparing(Revision::revision));
        return out;
    }

    /** Per Deployment (color), the newest revision created at or before {@code at}: what each color held then. */
    public static Map<String, Revision> heldAt(List<Revision> revisions, Instant at) {
        Map<String, Revision> out = new TreeMap<>();
        for (Revision r : revisions) {
            if (!r.created().isAfter(at)) {
                out.put(r.deployment(), r);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ rendering

    public static String line(Change c) {
        return c.time() + "  " + c.namespace() + "/" + c.service() + "  " + pad(c.action(), 8) + " " + pad(c.status(), 11) + " "
                + describeServing(c.serving()) + (c.failure() == null ? "" : "  (" + KubeCalls.oneLine(c.failure()) + ")");
    }

    public static String line(Revision r) {
        return r.created() + "  " + r.namespace() + "/" + r.deployment() + "  revision " + pad(r.revision(), 3) + " replicas "
                + r.replicas() + "  " + version(r.image(), r.modelSha256(), r.snapshotImage(), r.buildTag());
    }

    public static String describeServing(List<Map<String, Object>> serving) {
        if (serving.isEmpty()) {
            return "nothing serves";
        }
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> v : serving) {
            parts.add(v.get("color") + " " + v.get("trafficPercent") + "% " + version(str(v.get("image")), str(v.get("modelSha256")),
                    str(v.get("snapshotImage")), str(v.get("buildTag"))));
        }
        return String.join("; ", parts);
    }

    /** As {@link #describeServing}, for a deploy result's typed versions. */
    public static String describeVersions(List<ServingVersion> serving) {
        return serving.isEmpty() ? "nothing serves" : String.join("; ", serving.stream().map(v -> v.color() + " " + v.trafficPercent()
                + "% " + version(v.image(), v.modelSha256(), v.snapshotImage(), v.buildTag())).toList());
    }

    private static String version(String image, String model, String snapshot, String build) {
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

    /** Both sources as one JSON-ready map (for {@code --json}). */
    public static Map<String, Object> toMap(List<Change> changes, List<Revision> revisions, Optional<Instant> at) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> audit = new ArrayList<>();
        for (Change c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", c.time().toString());
            m.put("seq", c.seq());
            m.put("namespace", c.namespace());
            m.put("service", c.service());
            m.put("action", c.action());
            m.put("status", c.status());
            m.put("serving", c.serving());
            if (c.failure() != null) {
                m.put("failure", c.failure());
            }
            audit.add(m);
        }
        out.put("audit", audit);
        if (revisions != null) {
            List<Map<String, Object>> cluster = new ArrayList<>();
            for (Revision r : revisions) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("created", r.created().toString());
                m.put("namespace", r.namespace());
                m.put("deployment", r.deployment());
                m.put("revision", r.revision());
                m.put("replicas", r.replicas());
                m.put("image", r.image());
                m.put("modelSha256", r.modelSha256());
                m.put("snapshotImage", r.snapshotImage());
                m.put("buildTag", r.buildTag());
                cluster.add(m);
            }
            out.put("cluster", cluster);
        }
        at.ifPresent(t -> {
            Map<String, Object> servedAt = new TreeMap<>();
            servingAt(changes, t).forEach((ns, c) -> servedAt.put(ns, Map.of("seq", c.seq(), "time", c.time().toString(),
                    "serving", c.serving())));
            out.put("at", t.toString());
            out.put("servingAt", servedAt);
        });
        return out;
    }

    private static String imageOf(ReplicaSet rs) {
        try {
            return rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
