package io.powerai.core.spec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The train keys of backend kubernetes: parsed strictly, every problem at once, and refused for the other backends. */
class TrainSpecKubernetesTest {
    @TempDir
    Path project;

    @BeforeEach
    void createProject() throws Exception {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.createDirectories(project.resolve("data"));
    }

    private TrainSpec train(Map<String, Object> extra) {
        return TrainSteps.train(project, extra);
    }

    private static Map<String, Object> kubernetes(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("backend", "kubernetes");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    private List<String> problems(Map<String, Object> extra) {
        return TrainSteps.problems(project, extra).lines().toList();
    }

    @Test
    void defaults_defaultNamespace_oneCoreFourGiB_fifteenMinutesToStart_gpuTolerationsLeftToTheRenderer() {
        TrainSpec spec = train(kubernetes());
        TrainingPodSettings k = spec.kubernetes();

        assertThat(spec.kubernetesBackend()).isTrue();
        assertThat(k.namespace()).isEqualTo("default");
        assertThat(k.cpuMillis()).isEqualTo(1000);
        assertThat(k.memoryMi()).isEqualTo(4096);
        assertThat(k.startTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(k.tolerations()).isNull();
        assertThat(k.nodeSelector()).isEmpty();
        assertThat(k.serviceAccount()).isNull();
        assertThat(k.imagePullSecret()).isNull();
        assertThat(k.dataClaim()).isNull();
    }

    @Test
    void everyKey_parsedAsKubernetesNeedsIt() {
        TrainingPodSettings k = train(kubernetes("namespace", "ml-train", "cpu_cores", 3.5, "memory_gb", 16,
                "node_selector", Map.of("agentpool", "gpunp", "kubernetes.azure.com/accelerator", "nvidia"),
                "tolerations", List.of(Map.of("key", "sku", "operator", "Equal", "value", "gpu", "effect", "NoSchedule"),
                        Map.of("key", "kubernetes.azure.com/scalesetpriority", "operator", "Exists"),
                        Map.of("key", "node.kubernetes.io/unreachable", "operator", "Exists", "effect", "NoExecute", "tolerationSeconds", 60)),
                "service_account", "trainer", "image_pull_secret", "acr-pull", "data_claim", "moons-v3", "start_timeout", "30m",
                "gpus", 2, "shm_size", "8g")).kubernetes();

        assertThat(k.namespace()).isEqualTo("ml-train");
        assertThat(k.cpuMillis()).isEqualTo(3500);
        assertThat(k.memoryMi()).isEqualTo(16384);
        assertThat(k.nodeSelector()).containsExactly(Map.entry("agentpool", "gpunp"), Map.entry("kubernetes.azure.com/accelerator", "nvidia"));
        assertThat(k.tolerations()).containsExactly(
                new TrainingPodSettings.TolerationSpec("sku", "Equal", "gpu", "NoSchedule", null),
                new TrainingPodSettings.TolerationSpec("kubernetes.azure.com/scalesetpriority", "Exists", null, null, null),
                new TrainingPodSettings.TolerationSpec("node.kubernetes.io/unreachable", "Exists", null, "NoExecute", 60L));
        assertThat(k.serviceAccount()).isEqualTo("trainer");
        assertThat(k.imagePullSecret()).isEqualTo("acr-pull");
        assertThat(k.dataClaim()).isEqualTo("moons-v3");
        assertThat(k.startTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void emptyTolerations_meanNone() {
        assertThat(train(kubernetes("tolerations", List.of(), "gpus", 1)).kubernetes().tolerations()).isEmpty();
    }

    @Test
    void problems_ofEveryKind_areReportedAllAtOnce_beforeAnyCall() {
        List<String> lines = problems(kubernetes("namespace", "ML_Train", "cpu_cores", -1, "memory_gb", "lots",
                "node_selector", Map.of("-bad-", "gpu"), "tolerations", List.of(Map.of("key", "sku", "operator", "In")),
                "service_account", "Trainer!", "start_timeout", "soon", "gpus", "all", "gpu_policy", "prefer",
                "ulimits", Map.of("memlock", -1), "network", "host", "data", "data", "data_claim", "moons"));

        assertThat(lines).containsExactlyInAnyOrder(
                "gpuTrain: 'network' applies only to backends 'container' and 'native' (a pod is on the cluster's network: restrict it "
                        + "with a NetworkPolicy); got 'host'",
                "gpuTrain: 'ulimits' applies only to backend 'container' (a pod cannot set its limits: the node's container runtime "
                        + "does); got a map",
                "gpuTrain: 'gpu_policy' applies only to backends 'container' and 'native' (the GPU preflight asks nvidia-smi on the agent; "
                        + "on Kubernetes the scheduler gives the pod whole GPUs of a node); got 'prefer'",
                "gpuTrain: 'gpus' must be a count of GPUs on Kubernetes (a pod asks for a number of nvidia.com/gpu; the device plugin "
                        + "picks the devices); got 'all'",
                "gpuTrain: 'namespace' must be an RFC 1123 label (lowercase letters, digits, '-', starting and ending with a letter or "
                        + "digit, at most 63 characters); got 'ML_Train'",
                "gpuTrain: 'cpu_cores' must be a number of cores greater than 0 and at most 1000, e.g. 0.5; got -1",
                "gpuTrain: 'memory_gb' must be a number of GB greater than 0 and at most 4096, e.g. 0.5; got 'lots'",
                "gpuTrain: 'node_selector.-bad-' must be a label key: [prefix/]name, the name at most 63 letters, digits, '-', '_' or "
                        + "'.', starting and ending with a letter or digit, the prefix a DNS subdomain (e.g. "
                        + "kubernetes.azure.com/agentpool); got '-bad-'",
                "gpuTrain: 'tolerations[0].operator' must be 'Equal' (the default) or 'Exists'; got 'In'",
                "gpuTrain: 'service_account' must be the name of a Kubernetes object, an RFC 1123 subdomain (lowercase letters, digits, "
                        + "'-' and '.', starting and ending with a letter or digit, at most 253 characters); got 'Trainer!'",
                "gpuTrain: 'start_timeout' must be a positive duration such as 90s, 30m, 2h or 1h30m; got 'soon'",
                "gpuTrain: 'data_claim' cannot be combined with 'data' (both would be the data folder); keep one; got 'moons'");
    }

    @Test
    void tolerations_malformed_eachFieldNamed() {
        assertThat(problems(kubernetes("tolerations", List.of(
                Map.of("operator", "Equal", "value", "gpu"),
                Map.of("key", "sku", "operator", "Exists", "value", "gpu"),
                Map.of("key", "sku", "effect", "NoRun", "colour", "red"),
                Map.of("key", "sku", "effect", "NoSchedule", "tolerationSeconds", 30),
                "sku=gpu:NoSchedule"))))
                .containsExactlyInAnyOrder(
                        "gpuTrain: 'tolerations[0].key' is required unless operator is 'Exists' (which then tolerates every taint); got null",
                        "gpuTrain: 'tolerations[1].value' must be left out with operator 'Exists'; got 'gpu'",
                        "gpuTrain: 'tolerations[2].colour' is not a toleration field; valid fields: effect, key, operator, tolerationSeconds, "
                                + "value; got 'colour'",
                        "gpuTrain: 'tolerations[2].effect' must be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute' (left out: all effects); "
                                + "got 'NoRun'",
                        "gpuTrain: 'tolerations[3].tolerationSeconds' must be a whole number of seconds, 0 or more, and only with effect "
                                + "'NoExecute'; got 30",
                        "gpuTrain: 'tolerations[4]' must be a map with key, operator, value, effect and optionally tolerationSeconds; "
                                + "got 'sku=gpu:NoSchedule'");
        assertThat(problems(kubernetes("tolerations", "sku=gpu"))).containsExactly("gpuTrain: 'tolerations' must be a list of "
                + "tolerations such as [{key: sku, operator: Equal, value: gpu, effect: NoSchedule}] ([] for none); got 'sku=gpu'");
    }

    @Test
    void nodeSelector_valuesAreLabelValues() {
        assertThat(problems(kubernetes("node_selector", Map.of("agentpool", "gpu pool")))).containsExactly(
                "gpuTrain: 'node_selector.agentpool' must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and "
                        + "ending with a letter or digit (or empty); got 'gpu pool'");
        assertThat(problems(kubernetes("node_selector", List.of("agentpool=gpu")))).containsExactly(
                "gpuTrain: 'node_selector' must be a map of node label keys to values, e.g. {agentpool: gpunp}; got a list");
        assertThat(train(kubernetes("node_selector", Map.of("gpu", true))).kubernetes().nodeSelector()).containsEntry("gpu", "true");
    }

    @Test
    void kubernetesKeys_withTheOtherBackends_areRejectedOneLineEach() {
        assertThat(problems(Map.of("namespace", "ml", "memory_gb", 8, "data_claim", "moons"))).containsExactly(
                "gpuTrain: 'data_claim' applies only to backend 'kubernetes' (it describes the training's pod); got 'moons'",
                "gpuTrain: 'memory_gb' applies only to backend 'kubernetes' (it describes the training's pod); got 8",
                "gpuTrain: 'namespace' applies only to backend 'kubernetes' (it describes the training's pod); got 'ml'");
        assertThat(problems(Map.of("backend", "native", "tolerations", List.of()))).containsExactly(
                "gpuTrain: 'tolerations' applies only to backend 'kubernetes' (it describes the training's pod); got a list");
    }

    @Test
    void nativeOnlyAndPreflightKeys_withKubernetes_areRejected() {
        assertThat(problems(kubernetes("python", "python3.12", "cuda", "12.4", "gpu_min_free_memory", "50%", "gpu_allow_shared", true)))
                .containsExactly(
                        "gpuTrain: 'python' applies only to backend 'native' (a container runs the image's python3); got 'python3.12'",
                        "gpuTrain: 'cuda' applies only to backends 'container' and 'native' (the GPU preflight asks nvidia-smi on the "
                                + "agent; on Kubernetes the scheduler gives the pod whole GPUs of a node); got '12.4'",
                        "gpuTrain: 'gpu_min_free_memory' applies only to backends 'container' and 'native' (the GPU preflight asks "
                                + "nvidia-smi on the agent; on Kubernetes the scheduler gives the pod whole GPUs of a node); got '50%'",
                        "gpuTrain: 'gpu_allow_shared' applies only to backends 'container' and 'native' (the GPU preflight asks "
                                + "nvidia-smi on the agent; on Kubernetes the scheduler gives the pod whole GPUs of a node); got true");
    }

    @Test
    void gpuDevices_areNotACount_onKubernetes() {
        assertThat(problems(kubernetes("gpus", "0,1"))).containsExactly("gpuTrain: 'gpus' must be a count of GPUs on Kubernetes "
                + "(a pod asks for a number of nvidia.com/gpu; the device plugin picks the devices); got 'device=0,1'");
    }
}
