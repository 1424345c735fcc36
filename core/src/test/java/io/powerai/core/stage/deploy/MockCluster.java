package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.MockApiServer;

import java.util.Map;

/**
 * The mock API server ({@link MockApiServer}) with the Deployment controller played by the tests
 * ({@link #rollOut}, {@link #crashLoop}); expectations inject the failures (409, 5xx, 403) a real server gives.
 */
final class MockCluster implements AutoCloseable {
    private final MockApiServer api = new MockApiServer();
    final KubernetesMockServer server = api.server;
    final NamespacedKubernetesClient client = api.client;

    KubeConnection connection() {
        return api.connection();
    }

    Deployment deployment(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    /** What the Deployment controller and kubelets would do: every replica updated and available. */
    void rollOut(String namespace) {
        for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            d.setStatus(new DeploymentStatusBuilder()
                    .withObservedGeneration(d.getMetadata().getGeneration())
                    .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
                    .build());
            client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
        }
    }

    /**
     * What the scheduler and kubelets would do for each Deployment that has replicas: one Ready pod
     * ({@code <name>-0}, the template's labels) whose port-forwards reach the real scoring server {@code servers}
     * runs for the Deployment's current container.
     */
    void runPods(String namespace, ScoringServerPods servers) {
        for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            String podName = d.getMetadata().getName() + "-0";
            client.pods().inNamespace(namespace).withName(podName).delete();
            if (d.getSpec().getReplicas() != null && d.getSpec().getReplicas() == 0) {
                continue;
            }
            client.pods().inNamespace(namespace).resource(new PodBuilder()
                    .withNewMetadata().withName(podName).withNamespace(namespace)
                    .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                    .withNewSpec().addNewContainer().withName(AksManifests.CONTAINER).withImage(
                            d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endContainer().endSpec()
                    .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .endStatus()
                    .build()).create();
            api.pods.forward(podName, servers.addressOf(namespace, d));
        }
    }

    /** The pods port-forwarded to so far, in order. */
    java.util.List<String> forwardedPods() {
        return api.pods.forwarded;
    }

    /** A pod of the Deployment whose container keeps crashing: what the kubelet reports when init() raises. */
    void crashLoop(String namespace, Map<String, String> labels, String podName) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName(AksManifests.CONTAINER).withImage("x").endContainer().endSpec()
                .withNewStatus().withPhase("Running")
                    .withContainerStatuses(new ContainerStatusBuilder().withName(AksManifests.CONTAINER).withRestartCount(4)
                            .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                            .withMessage("back-off 1m20s restarting failed container=score").endWaiting().endState().build())
                .endStatus()
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    @Override
    public void close() {
        api.close();
    }
}
