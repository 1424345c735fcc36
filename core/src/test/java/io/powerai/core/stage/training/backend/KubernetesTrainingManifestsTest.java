package io.powerai.core.stage.training.backend;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.powerai.core.Golden;
import io.powerai.core.PowerAiException;
import io.powerai.core.kubernetes.CodeBundle;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.kubernetes.TrainingJob;
import io.powerai.core.kubernetes.TrainingPodTemplate;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Job and ConfigMap of backend kubernetes, rendered without a cluster. Golden files:
 * core/src/test/resources/io/powerai/core/stage/KubernetesTrainingManifestsTest/*.expected.yaml.
 */
class KubernetesTrainingManifestsTest {
    static final String IMAGE = "myacr.azurecr.io/svm-moons-env:" + "d1".repeat(32) + "@sha256:" + "ab".repeat(32);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T18:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path project;

    @BeforeEach
    void createProject() throws Exception {
        Files.writeString(project.resolve("train.py"), "import os\nprint('training')\n");
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("data/moons.csv"), "x,y,label\n0.5,0.2,1\n");
        Files.write(project.resolve("data/weights.bin"), new byte[] {0, (byte) 0xff, 0x10, (byte) 0x80});
        Files.createDirectories(project.resolve(".powerai"));
        Files.writeString(project.resolve(".powerai/gpuTrain.json"), "{}"); // the workspace: never shipped
    }

    private KubernetesTraining training(Map<String, Object> keys) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("script", "train.py");
        params.put("backend", "kubernetes");
        params.put("args", List.of("--C", "1.0"));
        params.putAll(keys);
        PipelineSpec spec = PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline();
        StageContext ctx = new StageContext(spec, new Workspace(project, CLOCK), null, null, e -> { }, CLOCK);
        return new KubernetesTraining(ctx, events -> {
            throw new AssertionError("a dry run contacts nothing");
        }, client -> {
            throw new AssertionError("a dry run copies nothing");
        }, KubernetesTraining.Tuning.defaults());
    }

    private String manifests(Map<String, Object> keys) {
        String dryRun = training(keys).dryRun(IMAGE);
        assertThat(dryRun).startsWith("# powerai train --dry-run: Job svm-moons-train-");
        return dryRun.substring(dryRun.indexOf("\n", dryRun.indexOf("\n") + 1) + 1); // the YAML after the two comment lines
    }

    @Test
    void gpuJob_hasGpuLimitsAndPoolTolerations_requests_shm_codeAndDataFromTheConfigMap_andTheKeeper() {
        String yaml = manifests(Map.of("gpus", 1, "shm_size", "8g", "data", "data", "cpu_cores", 4, "memory_gb", 16,
                "env", Map.of("EPOCHS", 10), "timeout", "30m"));

        Golden.assertMatches(KubernetesTrainingManifestsTest.class, "gpu", "yaml", yaml);
        assertThat(yaml).contains("nvidia.com/gpu: \"1\"").contains("key: sku").contains("backoffLimit: 0")
                .contains("activeDeadlineSeconds: 3300").contains("ttlSecondsAfterFinished: 3600")
                .contains("path: data/moons.csv").contains("path: moons.csv").contains("f1-weights.bin: AP8QgA==")
                .doesNotContain("claimName").doesNotContain("gpuTrain.json");
    }

    @Test
    void cpuJob_hasNoGpuLimitNorTolerations() {
        String yaml = manifests(Map.of());

        Golden.assertMatches(KubernetesTrainingManifestsTest.class, "cpu", "yaml", yaml);
        assertThat(yaml).doesNotContain("nvidia.com/gpu").doesNotContain("tolerations").doesNotContain("mountPath: /workspace/data")
                .contains("cpu: \"1\"").contains("memory: 4096Mi");
    }

    @Test
    void customJob_nodeSelectorTolerationsAccountPullSecretAndDataClaim() {
        String yaml = manifests(Map.of("gpus", 2, "namespace", "ml-train",
                "node_selector", Map.of("agentpool", "gpunp"),
                "tolerations", List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")),
                "service_account", "trainer", "image_pull_secret", "acr-pull", "data_claim", "moons-v3", "start_timeout", "1h"));

        Golden.assertMatches(KubernetesTrainingManifestsTest.class, "custom", "yaml", yaml);
        assertThat(yaml).contains("namespace: ml-train").contains("agentpool: gpunp").contains("serviceAccountName: trainer")
                .contains("claimName: moons-v3").doesNotContain("key: sku").doesNotContain("automountServiceAccountToken");
    }

    @Test
    void render_twice_sameBytes_andTheSameRunId_forTheSameInputsAndInstant() {
        assertThat(training(Map.of("gpus", 1)).dryRun(IMAGE)).isEqualTo(training(Map.of("gpus", 1)).dryRun(IMAGE));
    }

    @Test
    void jobNames_areRfc1123Labels_evenForTheLongestProjectName() {
        String name = "a".repeat(63);
        Map<String, Object> params = new LinkedHashMap<>(Map.of("name", name, "script", "train.py", "backend", "kubernetes"));
        PipelineSpec spec = PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline();
        StageContext ctx = new StageContext(spec, new Workspace(project, CLOCK), null, null, e -> { }, CLOCK);
        TrainingJob job = new KubernetesTraining(ctx, e -> null, c -> null, KubernetesTraining.Tuning.defaults()).plan(IMAGE);

        assertThat(job.name()).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").endsWith("-" + job.plan().runId());
        assertThat(job.configMapName()).endsWith("-code");
        assertThat(job.job().getMetadata().getLabels()).containsEntry("powerai.io/run-id", job.plan().runId())
                .containsEntry("powerai.io/snapshot", "d1d1d1d1d1d1").containsEntry("app.kubernetes.io/managed-by", "powerai");
        assertThat(job.job().getMetadata().getAnnotations()).containsEntry("powerai.io/snapshot-id", "d1".repeat(32));
    }

    @Test
    void theJobsPodAndThePodTemplate_comeFromOneRenderer() {
        Map<String, Object> keys = Map.of("gpus", 2, "shm_size", "2g", "node_selector", Map.of("agentpool", "gpunp"),
                "cpu_cores", 8, "memory_gb", 32, "image_pull_secret", "acr-pull");
        Job job = training(keys).plan(IMAGE).job();
        Map<String, Object> params = new LinkedHashMap<>(Map.of("name", "svm-moons", "script", "train.py", "backend", "kubernetes"));
        params.putAll(keys);
        String template = TrainingPodTemplate.render("svm-moons", IMAGE, PipelineSpec.forStep(Stage.TRAIN, params, project, null)
                .pipeline().train());
        PodSpec agent = KubeYaml.SERIALIZATION.unmarshal(template, io.fabric8.kubernetes.api.model.Pod.class).getSpec();
        PodSpec pod = job.getSpec().getTemplate().getSpec();

        assertThat(agent.getTolerations()).isEqualTo(pod.getTolerations()).hasSize(2);
        assertThat(agent.getNodeSelector()).isEqualTo(pod.getNodeSelector());
        assertThat(agent.getImagePullSecrets()).isEqualTo(pod.getImagePullSecrets());
        assertThat(agent.getContainers().get(0).getResources()).isEqualTo(pod.getContainers().get(0).getResources());
        assertThat(agent.getVolumes()).containsExactly(pod.getVolumes().stream().filter(v -> v.getName().equals("dshm")).findFirst().orElseThrow());
    }

    @Test
    void aProjectOverAConfigMap_isRefusedBeforeAnyCall_namingItsLargestFiles() throws Exception {
        Files.write(project.resolve("data/big.npy"), new byte[(int) CodeBundle.MAX_BYTES]);

        assertThatThrownBy(() -> training(Map.of("data", "data")).dryRun(IMAGE))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("gpuTrain"))
                        .startsWith("gpuTrain: the project's files come to 1.0 MiB, over the 1.0 MiB a ConfigMap holds"))
                .hasMessageContaining("largest: data/big.npy (1.0 MiB), train.py (")
                .hasMessageContaining("put large data on a PersistentVolumeClaim ('data_claim') or into the image")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    }

    @Test
    void anImageNotPinnedByDigest_isRefused() {
        assertThatThrownBy(() -> training(Map.of()).dryRun("myacr.azurecr.io/svm-moons-env:latest"))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageStartingWith("gpuTrain: 'image' must be pinned by digest on Kubernetes");
    }
}
