package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.stage.SmokeTransport;
import io.powerai.core.event.EventSink;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.kubernetes.Timing;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For bench/aks-deploy.sh: one measurement per JVM, timed from the start of main (so after JVM start):
 * <ul>
 *   <li>{@code apply}: parse the settings, render the manifests (keys Secret, Deployment, Service, autoscaler,
 *       disruption budget), build the client and create-or-update each object;</li>
 *   <li>{@code deploy}: the whole {@link AksDeployment#deploy} (reads, applies, waits for the mock's simulated
 *       controller polling every 50 ms, smoke test answered in-process, audit record, result file).</li>
 *   <li>{@code warm}: {@code apply} 20 times in one JVM; the median of the last 10 (the steady state).</li>
 * </ul>
 * Usage: AksDeployBench URL apply|deploy|warm NAMESPACE. Prints {@code <mode> <milliseconds>}.
 */
public final class AksDeployBench {
    static final String IMAGE = "myacr.azurecr.io/svm-moons-score@sha256:" + "ab".repeat(32);

    private AksDeployBench() {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        String url = args[0];
        String mode = args[1];
        String namespace = args[2];
        if (mode.equals("warm")) {
            // Steady state: 20 applies in one JVM (new namespaces), the median of the last 10.
            KubernetesClient client = client(url);
            long[] ms = new long[20];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                applyAll(client, namespace + "-" + i, "svm-moons");
                ms[i] = (System.nanoTime() - t) / 1_000_000;
            }
            long[] last = java.util.Arrays.copyOfRange(ms, 10, 20);
            java.util.Arrays.sort(last);
            System.out.println(mode + " " + last[5]);
            client.close();
            return;
        }
        if (mode.equals("apply")) {
            KubernetesClient client = client(url);
            applyAll(client, namespace, "svm-moons");
            client.close();
        } else {
            deploy(url, namespace);
        }
        System.out.println(mode + " " + (System.nanoTime() - started) / 1_000_000);
    }

    static KubernetesClient client(String url) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(KubeYaml.SERIALIZATION).build();
    }

    static AksSettings settings(Path project, String namespace) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("target", "aks");
        params.put("namespace", namespace);
        params.put("cpu_cores", 0.5);
        params.put("memory_gb", 1);
        return PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline().deploy().aks();
    }

    static void applyAll(KubernetesClient client, String namespace, String name) throws Exception {
        Path project = Files.createTempDirectory("powerai-bench-");
        AksSettings settings = settings(project, namespace);
        AksManifests m = new AksManifests(name, settings, new Release(IMAGE, "5e".repeat(32), null, null, null, null), false);
        List<HasMetadata> objects = List.of(AksSecrets.keys(m, Map.of(AksManifests.PRIMARY_KEY, "k1", AksManifests.SECONDARY_KEY, "k2")),
                m.deployment(Color.BLUE, 1, Clock.systemUTC().instant(), null), m.service(TrafficState.serving(Color.BLUE)),
                m.autoscaler(Color.BLUE), m.disruptionBudget());
        for (HasMetadata o : objects) {
            client.resource(o).inNamespace(namespace).createOr(NonDeletingOperation::update);
        }
        Files.delete(project);
    }

    static void deploy(String url, String namespace) throws Exception {
        Path project = Files.createTempDirectory("powerai-bench-");
        Files.writeString(project.resolve("powerai.yaml"), "name: svm-moons\n");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("target", "aks");
        params.put("namespace", namespace);
        PipelineSpec spec = PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline();
        StageContext ctx = new StageContext(spec, new Workspace(project, Clock.systemUTC()), null, null, EventSink.discarding(),
                Clock.systemUTC());
        AksDeployment aks = new AksDeployment(ctx, io.powerai.core.stage.RunEnvironment.NONE, (s, events) -> KubeConnection.of(client(url)),
                client -> (ns, selector, request) -> new SmokeTransport.Answer(200, request.path().equals("/") ? "Healthy" : "[1]"),
                new AksDeployment.Tuning(Timing.system(), Backoff.DEFAULT, Duration.ofMillis(50)));
        io.powerai.core.result.DeploymentResult result = aks.deploy(IMAGE);
        if (!result.succeeded()) {
            throw new IllegalStateException("deploy did not succeed: " + result);
        }
    }
}
