package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.result.ServingVersion;
import io.powerai.core.spec.Stage;
import io.powerai.core.workspace.Workspace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a Kubernetes deploy action leaves behind: its audit record (the details, with what serves afterwards, which the
 * deploy history reads) and its result, {@code aksDeploy.json}. One place assembles both for every action and outcome.
 */
final class DeploymentRecords {
    private static final Stage STAGE = Stage.DEPLOY;

    private final Workspace workspace;
    private final ClusterObjects objects;
    private final AksPlan plan;
    private final String server;

    DeploymentRecords(Workspace workspace, ClusterObjects objects, AksPlan plan, String server) {
        this.workspace = workspace;
        this.objects = objects;
        this.plan = plan;
        this.server = server;
    }

    /** The details every action records: where, which color, what the release is made of, the Secrets by name. */
    Map<String, Object> details(String action, Color color) {
        AksManifests m = plan.manifests();
        Map<String, Object> details = new TreeMap<>();
        details.put("target", "aks");
        details.put("action", action);
        details.put("cluster", server);
        details.put("namespace", m.namespace());
        details.put("service", m.serviceName());
        details.put("deployment", m.deploymentName(color));
        details.put("color", color.label());
        putIfSet(details, "modelSha256", plan.release().modelSha256());
        putIfSet(details, "snapshotImage", plan.release().snapshotImage());
        putIfSet(details, "buildTag", plan.release().buildTag());
        putIfSet(details, "buildUrl", plan.release().buildUrl());
        // The Secrets by name only: their data never leaves the cluster.
        if (plan.settings().authEnabled()) {
            details.put("keysSecret", m.keysSecretName());
        }
        if (plan.registryUser() != null) {
            details.put("pullSecret", m.pullSecretName());
        }
        return details;
    }

    /**
     * Appends the audit record of this action and writes its result: {@code details} (with {@code serving}) go to
     * the log, the result carries what every action reports plus what {@code extra} adds.
     */
    DeploymentResult write(long started, String status, Map<String, Object> details, List<ServingVersion> serving,
                           String answer, String image, Consumer<DeploymentResult.Builder> extra) {
        AksManifests m = plan.manifests();
        String ns = m.namespace();
        String url = "http://" + m.serviceName() + "." + ns + ".svc.cluster.local/score";
        details.put("serving", Json.mapper().convertValue(serving, List.class));
        Map<String, String> inputs = new TreeMap<>();
        if (image != null && !image.isEmpty()) {
            inputs.put("image", image);
        }
        AuditLog.Appended appended = workspace.audit().append(new AuditLog.Entry(STAGE.stepName(), status, inputs,
                Map.of("endpoint", url, "service", ns + "/" + m.serviceName()), details));
        DeploymentResult.Builder result = DeploymentResult.builder(status, "aks")
                .action(String.valueOf(details.get("action")))
                .image(image == null || image.isEmpty() ? null : image)
                .cluster(server)
                .namespace(ns)
                .service(m.serviceName())
                .deployment(String.valueOf(details.get("deployment")))
                .scoringUrl(url)
                .externalScoringUrl(externalUrl())
                .serving(serving)
                .smokeTestAnswer(answer == null ? null : KubeCalls.oneLine(answer))
                .durationMillis((System.nanoTime() - started) / 1_000_000);
        extra.accept(result);
        DeploymentResult written = result.build(new AuditStamp(appended.seq(), appended.hash()));
        workspace.writeResult(written);
        return written;
    }

    /** The versions that serve in {@code state}, with their share of traffic, as the Deployments record them. */
    List<ServingVersion> serving(TrafficState state) {
        List<ServingVersion> out = new ArrayList<>();
        if (state.split()) {
            out.add(version(state.live(), 100 - state.candidatePercent()));
            out.add(version(state.candidate(), state.candidatePercent()));
        } else {
            out.add(version(state.live(), 100));
        }
        return out;
    }

    private ServingVersion version(Color color, int percent) {
        Deployment d = objects.deployment(color);
        return new ServingVersion(color.label(), plan.manifests().deploymentName(color), percent,
                ClusterObjects.annotation(d, AksManifests.IMAGE), ClusterObjects.annotation(d, AksManifests.MODEL_SHA256),
                ClusterObjects.annotation(d, AksManifests.SNAPSHOT_IMAGE), ClusterObjects.annotation(d, AksManifests.BUILD_TAG));
    }

    private String externalUrl() {
        if (!"LoadBalancer".equals(plan.settings().serviceType())) {
            return null;
        }
        AksManifests m = plan.manifests();
        try {
            Service service = objects.client().services().inNamespace(m.namespace()).withName(m.serviceName()).get();
            if (service == null || service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                    || service.getStatus().getLoadBalancer().getIngress() == null) {
                return null;
            }
            for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
                String host = ingress.getIp() != null ? ingress.getIp() : ingress.getHostname();
                if (host != null) {
                    return "http://" + host + "/score";
                }
            }
        } catch (KubernetesClientException e) {
            return null; // only informative
        }
        return null;
    }

    static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
