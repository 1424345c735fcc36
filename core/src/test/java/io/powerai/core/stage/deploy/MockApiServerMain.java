package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * For bench/aks-deploy.sh: fabric8's mock API server (CRUD mode; no real API server can run on our machines) in
 * a process of its own, so that its start and warm-up are not billed to the measured client. A thread plays the
 * Deployment controller (every 50 ms, each Deployment whose status lags its spec is marked rolled out).
 * Usage: MockApiServerMain URL_FILE; writes the server's URL there once warm, runs until killed.
 */
public final class MockApiServerMain {
    private MockApiServerMain() {
    }

    public static void main(String[] args) throws Exception {
        MockCluster cluster = new MockCluster();
        // Warm the server: parse and store every kind the benchmark applies, once.
        AksDeployBench.applyAll(cluster.client, "warm-up", "svm-moons");
        Thread controller = new Thread(() -> {
            while (true) {
                try {
                    for (Deployment d : cluster.client.apps().deployments().inAnyNamespace().list().getItems()) {
                        Long generation = d.getMetadata().getGeneration();
                        if (d.getStatus() == null || !Objects.equals(d.getStatus().getObservedGeneration(), generation)) {
                            int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                            d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(generation).withReplicas(replicas)
                                    .withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).build());
                            cluster.client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
                        }
                    }
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a Deployment changed under us: the next round sees it again
                }
            }
        }, "controller");
        controller.setDaemon(true);
        controller.start();
        Files.writeString(Path.of(args[0] + ".tmp"), cluster.server.url("/"));
        Files.move(Path.of(args[0] + ".tmp"), Path.of(args[0]));
        Thread.currentThread().join();
    }
}
