package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.powerai.core.Golden;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: core/src/test/resources/io/powerai/core/stage/deploy/AksManifestsTest/*.expected.yaml
 * ({@code -Dpowerai.updateGolden=true} rewrites them; review the diff).
 */
class AksManifestsTest {
    static final String DIGEST = "sha256:" + "3f".repeat(32);
    static final String IMAGE = "myacr.azurecr.io/svm-moons-score@" + DIGEST;
    static final String MODEL = "0123456789abcdef".repeat(4);
    static final String SNAPSHOT = "myacr.azurecr.io/svm-moons-env:" + "ab".repeat(32) + "@sha256:" + "cd".repeat(32);
    static final Instant NOW = Instant.parse("2026-11-26T18:00:00Z");

    @TempDir
    Path project;

    static AksSettings settings(Path project, Map<String, Object> deployKeys) {
        Map<String, Object> params = new LinkedHashMap<>(deployKeys);
        params.put("name", "svm-moons");
        params.putIfAbsent("target", "aks");
        return PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline().deploy().aks();
    }

    static Release release() {
        return new Release(IMAGE, MODEL, SNAPSHOT, "ab".repeat(32), "jenkins-svm-moons-42", "https://ci.example.com/job/svm-moons/42/");
    }

    private String renderAll(AksSettings settings, Color color, boolean pull) {
        AksManifests m = new AksManifests("svm-moons", settings, release(), pull);
        List<HasMetadata> objects = new java.util.ArrayList<>();
        if (settings.authEnabled()) {
            objects.add(AksSecrets.keys(m, null));
        }
        if (pull) {
            objects.add(AksSecrets.pull(m, "myacr.azurecr.io", null, null));
        }
        objects.add(m.deployment(color, settings.servingReplicas(), NOW, null));
        objects.add(m.service(TrafficState.serving(color)));
        if (settings.autoscaleEnabled()) {
            objects.add(m.autoscaler(color));
        }
        objects.add(m.disruptionBudget());
        if (settings.serviceMonitor()) {
            objects.add(m.serviceMonitor());
        }
        return KubeYaml.yaml(objects);
    }

    @Test
    void render_amlDefaults_autoscaledWithKeysAndProbes() {
        String yaml = renderAll(settings(project, Map.of()), Color.BLUE, false);
        Golden.assertMatches(AksManifestsTest.class, "defaults", "yaml", yaml);
        assertThat(yaml).contains("cpu: 100m").contains("memory: 512Mi").contains("averageUtilization: 70")
                .contains("minReplicas: 1").contains("maxReplicas: 10").contains("name: svm-moons-keys")
                .contains("image: " + IMAGE).doesNotContain("nvidia.com/gpu").doesNotContainPattern("(?m)^data:");
    }

    @Test
    void render_gpuFixedReplicasNoAuthPullSecret_inNamespace() {
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("namespace", "ml-prod");
        keys.put("cpu_cores", 2);
        keys.put("memory_gb", 7.5);
        keys.put("cpu_cores_limit", 4);
        keys.put("memory_gb_limit", 8);
        keys.put("gpu_cores", 1);
        keys.put("num_replicas", 3);
        keys.put("auth_enabled", false);
        keys.put("period_seconds", 5);
        keys.put("initial_delay_seconds", 0);
        keys.put("timeout_seconds", 4);
        keys.put("failure_threshold", 5);
        keys.put("scoring_timeout_ms", 5000);
        keys.put("service_type", "LoadBalancer");
        keys.put("metrics_port", 9400);
        keys.put("service_monitor", true);
        String yaml = renderAll(settings(project, keys), Color.GREEN, true);
        Golden.assertMatches(AksManifestsTest.class, "gpu-fixed-replicas", "yaml", yaml);
        assertThat(yaml).contains("nvidia.com/gpu: \"1\"").contains("cpu: \"2\"").contains("memory: 7680Mi")
                .contains("memory: 8192Mi").contains("cpu: \"4\"").contains("replicas: 3").contains("namespace: ml-prod")
                .contains("type: LoadBalancer").contains("name: svm-moons-registry").contains("key: sku")
                .doesNotContain("HorizontalPodAutoscaler").doesNotContain("startupProbe").doesNotContain("POWERAI_PRIMARY_KEY");
    }

    @Test
    void metrics_onAContainerPortOfItsOwn_notAServicePort_andAnnotatedForPrometheus() {
        AksManifests m = new AksManifests("svm-moons", settings(project, Map.of()), release(), false);
        var template = m.deployment(Color.BLUE, 1, NOW, null).getSpec().getTemplate();
        var container = template.getSpec().getContainers().get(0);
        assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("http:5001", "metrics:9090");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POWERAI_METRICS_PORT");
            assertThat(e.getValue()).isEqualTo("9090");
        });
        assertThat(template.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "9090").containsEntry("prometheus.io/path", "/metrics");
        // The Deployment's own annotations are for people and deploy history; scrapers read the pods'.
        assertThat(m.deployment(Color.BLUE, 1, NOW, null).getMetadata().getAnnotations()).doesNotContainKey("prometheus.io/scrape");
        var service = m.service(TrafficState.serving(Color.BLUE));
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getIntVal())
                .containsExactly("http:80->5001");
        // The endpoint keys guard /score; the metrics port has none, which is why it is never a Service port.
        assertThat(container.getEnv()).noneMatch(e -> e.getName().startsWith("POWERAI_METRICS") && e.getValueFrom() != null);
    }

    @Test
    void serviceMonitor_onlyOnRequest_selectsTheServiceAndNamesTheMetricsContainerPort() {
        assertThat(renderAll(settings(project, Map.of()), Color.BLUE, false)).doesNotContain("ServiceMonitor");
        AksManifests m = new AksManifests("svm-moons", settings(project, Map.of("service_monitor", true)), release(), false);
        String yaml = KubeYaml.yaml(List.of(m.serviceMonitor()));
        assertThat(yaml).contains("apiVersion: monitoring.coreos.com/v1").contains("kind: ServiceMonitor")
                .contains("targetPort: metrics").contains("path: /metrics").contains("app.kubernetes.io/name: svm-moons")
                .contains("- default");
    }

    @Test
    void render_twice_sameBytes() {
        AksSettings s = settings(project, Map.of("gpu_cores", 2));
        assertThat(renderAll(s, Color.BLUE, true)).isEqualTo(renderAll(s, Color.BLUE, true));
    }

    @Test
    void deployment_carriesLineageAsLabelsAndAnnotations_onTheTemplateToo() {
        AksManifests m = new AksManifests("svm-moons", settings(project, Map.of()), release(), false);
        Deployment d = m.deployment(Color.GREEN, 2, NOW, "myacr.azurecr.io/svm-moons-score@sha256:" + "00".repeat(32));
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(labels).containsEntry("app.kubernetes.io/name", "svm-moons")
                .containsEntry("app.kubernetes.io/version", MODEL.substring(0, 12))
                .containsEntry("app.kubernetes.io/managed-by", "powerai")
                .containsEntry("powerai.io/color", "green");
        assertThat(labels.values()).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(63));
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("powerai.io/model-sha256", MODEL)
                .containsEntry("powerai.io/snapshot-image", SNAPSHOT)
                .containsEntry("powerai.io/snapshot-id", "ab".repeat(32))
                .containsEntry("powerai.io/build-tag", "jenkins-svm-moons-42")
                .containsEntry("powerai.io/build-url", "https://ci.example.com/job/svm-moons/42/");
        assertThat(d.getMetadata().getAnnotations())
                .containsEntry("powerai.io/previous-image", "myacr.azurecr.io/svm-moons-score@sha256:" + "00".repeat(32))
                .containsEntry("powerai.io/deployed-at", "2026-11-26T18:00:00Z");
        assertThat(d.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(
                Map.of("app.kubernetes.io/name", "svm-moons", "powerai.io/color", "green"));
    }

    @Test
    void startupProbe_budgetCoversInitialDelay() {
        AksManifests m = new AksManifests("svm-moons", settings(project, Map.of("initial_delay_seconds", 120, "period_seconds", 10)), release(), false);
        var container = m.deployment(Color.BLUE, 1, NOW, null).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getStartupProbe().getPeriodSeconds()).isEqualTo(5);
        assertThat(container.getStartupProbe().getFailureThreshold() * container.getStartupProbe().getPeriodSeconds()).isEqualTo(120);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(5001);
        assertThat(container.getReadinessProbe().getPeriodSeconds()).isEqualTo(10);
    }

    @Test
    void service_duringSplit_selectsBothColors_elseTheLiveOne() {
        AksManifests m = new AksManifests("svm-moons", settings(project, Map.of()), release(), false);
        assertThat(m.service(TrafficState.serving(Color.GREEN)).getSpec().getSelector())
                .containsExactlyInAnyOrderEntriesOf(Map.of("app.kubernetes.io/name", "svm-moons", "powerai.io/color", "green"));
        var split = m.service(new TrafficState(Color.BLUE, Color.GREEN, 20));
        assertThat(split.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("app.kubernetes.io/name", "svm-moons"));
        assertThat(split.getMetadata().getAnnotations()).containsEntry("powerai.io/live-color", "blue")
                .containsEntry("powerai.io/candidate-color", "green").containsEntry("powerai.io/candidate-traffic-percent", "20");
        assertThat(TrafficState.of(split.getMetadata().getAnnotations())).isEqualTo(new TrafficState(Color.BLUE, Color.GREEN, 20));
    }

    @Test
    void pullSecret_holdsDockerConfigForTheImagesRegistry() {
        AksManifests m = new AksManifests("svm-moons", settings(project, Map.of()), release(), true);
        var secret = AksSecrets.pull(m, "myacr.azurecr.io", "ci-user", "s3cret");
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        String config = new String(java.util.Base64.getDecoder().decode(secret.getData().get(".dockerconfigjson")));
        assertThat(config).isEqualTo("{\"auths\":{\"myacr.azurecr.io\":{\"auth\":\"Y2ktdXNlcjpzM2NyZXQ=\",\"password\":\"s3cret\",\"username\":\"ci-user\"}}}");
    }

    @Test
    void splitReplicas_keepsAtLeastOneOfEach() {
        assertThat(TrafficState.splitReplicas(10, 20)).containsExactly(8, 2);
        assertThat(TrafficState.splitReplicas(1, 20)).containsExactly(1, 1);
        assertThat(TrafficState.splitReplicas(4, 90)).containsExactly(1, 4);
    }
}
