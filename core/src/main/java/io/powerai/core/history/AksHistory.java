package io.powerai.core.history;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.stage.deploy.AksManifests;
import io.powerai.core.history.RunHistory.Deployment;
import io.powerai.core.kubernetes.KubeCalls;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code powerai deploy history}: the AKS view of the history model ({@link Deployments}, the same one
 * {@code powerai history} shows), narrowed to one service, from two sources that answer different questions:
 * <ul>
 *   <li>the audit log: every deploy, promote and rollback of target aks records what served afterwards
 *       ({@code details.serving}), with its time, so "what served in namespace N at time T" is the last record
 *       at or before T;</li>
 *   <li>the cluster's own revision history: the ReplicaSets of both colors keep each version's image, model,
 *       snapshot and build annotations and their creation time (up to revisionHistoryLimit of them). They show
 *       when each color got which version, not which color took the traffic.</li>
 * </ul>
 */
public final class AksHistory {
    /** One ReplicaSet of a color: a version as the cluster remembers it. */
    public record Revision(Instant created, String namespace, String deployment, String revision, int replicas, String image,
                           String modelSha256, String snapshotImage, String buildTag) {
    }

    private AksHistory() {
    }

    /**
     * The aks deployments of {@code service} recorded in {@code auditFile} (a workspace's {@code .powerai/audit.jsonl}),
     * oldest first: the deployments of the {@link RunHistory} of that one run, narrowed to the service.
     */
    public static List<Deployment> fromAudit(Path auditFile, String service) {
        Path run = auditFile.toAbsolutePath().getParent();
        return Deployments.of(RunHistory.readLabelled(Map.of(run.toString(), run)).deployments(), "aks", service);
    }

    /** Per namespace, the last change at or before {@code at}: what served then. */
    public static Map<String, Deployment> servingAt(List<Deployment> changes, Instant at) {
        Map<String, Deployment> out = new TreeMap<>();
        Deployments.servingAt(changes, at).values().forEach(d -> out.put(d.namespace(), d));
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

    public static String line(Deployment c) {
        return c.time() + "  " + c.namespace() + "/" + c.service() + "  " + pad(c.action(), 8) + " " + pad(c.status(), 11) + " "
                + Deployments.describeServing(c.serving()) + (c.failure() == null ? "" : "  (" + KubeCalls.oneLine(c.failure()) + ")");
    }

    public static String line(Revision r) {
        return r.created() + "  " + r.namespace() + "/" + r.deployment() + "  revision " + pad(r.revision(), 3) + " replicas "
                + r.replicas() + "  " + Deployments.version(r.image(), r.modelSha256(), r.snapshotImage(), r.buildTag());
    }

    /** Both sources as one JSON-ready map (for {@code --json}). */
    public static Map<String, Object> toMap(List<Deployment> changes, List<Revision> revisions, Optional<Instant> at) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> audit = new ArrayList<>();
        for (Deployment c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", Deployments.instant(c.time()).toString());
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
            servingAt(changes, t).forEach((ns, c) -> servedAt.put(ns, Map.of("seq", c.seq(), "time", Deployments.instant(c.time()).toString(),
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

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
