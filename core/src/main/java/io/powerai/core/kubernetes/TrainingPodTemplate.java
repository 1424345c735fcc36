package io.powerai.core.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.powerai.core.PowerAiException;
import io.powerai.core.spec.MemorySizes;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod a training runs in on a Kubernetes agent (Jenkins' kubernetes plugin {@code podTemplate(yaml: ...)}):
 * one container {@value #CONTAINER} from the snapshot image, kept alive for the steps that run in it, with
 * {@code nvidia.com/gpu} limits and the tolerations GPU node pools are tainted with (AKS GPU pools are
 * commonly tainted {@code sku=gpu:NoSchedule}; the NVIDIA device plugin's taint is {@code nvidia.com/gpu}).
 */
public final class TrainingPodTemplate {
    public static final String CONTAINER = "train";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    static final String SHM_VOLUME = "dshm";

    private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS))
            .build();

    private TrainingPodTemplate() {
    }

    /** The pod YAML; byte-for-byte the same for the same inputs. */
    public static String render(String projectName, String image, TrainSpec spec) {
        if ("all".equals(spec.gpus())) {
            throw new PowerAiException.InvalidInput(Stage.TRAIN.stepName() + ": 'gpus' must be a count on Kubernetes "
                    + "(a pod asks for a number of " + GPU_RESOURCE + "); got 'all'");
        }
        if (spec.gpus() != null && spec.gpus().startsWith(io.powerai.core.gpu.GpuRequest.DEVICES_PREFIX)) {
            throw new PowerAiException.InvalidInput(Stage.TRAIN.stepName() + ": 'gpus' must be a count on Kubernetes "
                    + "(the device plugin picks the devices; a pod cannot name them); got '" + spec.gpus() + "'");
        }
        int gpus = spec.gpus() == null ? 0 : Integer.parseInt(spec.gpus());

        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", projectName);
        labels.put("app.kubernetes.io/component", "training");
        labels.put("app.kubernetes.io/managed-by", "powerai");

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", CONTAINER);
        container.put("image", image);
        // Jenkins runs the steps inside the container with `container('train') { ... }`: it only has to stay up.
        container.put("command", List.of("sleep"));
        container.put("args", List.of("infinity"));
        container.put("workingDir", "/home/jenkins/agent");
        List<Map<String, Object>> env = new ArrayList<>();
        spec.env().forEach((k, v) -> {
            Map<String, Object> variable = new LinkedHashMap<>(); // name first, as kubectl and readers expect
            variable.put("name", k);
            variable.put("value", v);
            env.add(variable);
        });
        if (!env.isEmpty()) {
            container.put("env", env);
        }
        if (gpus > 0) {
            container.put("resources", Map.of("limits", Map.of(GPU_RESOURCE, gpus)));
        }
        if (spec.shmSize() != null) {
            // A pod's /dev/shm is 64 MiB; PyTorch's DataLoader workers need more: a memory-backed emptyDir replaces it.
            Map<String, Object> mount = new LinkedHashMap<>();
            mount.put("name", SHM_VOLUME);
            mount.put("mountPath", "/dev/shm");
            container.put("volumeMounts", List.of(mount));
        }

        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("restartPolicy", "Never");
        if (gpus > 0) {
            List<Map<String, Object>> tolerations = new ArrayList<>();
            tolerations.add(toleration("sku", "Equal", "gpu"));
            tolerations.add(toleration(GPU_RESOURCE, "Exists", null));
            podSpec.put("tolerations", tolerations);
        }
        podSpec.put("containers", List.of(container));
        if (spec.shmSize() != null) {
            Map<String, Object> emptyDir = new LinkedHashMap<>();
            emptyDir.put("medium", "Memory");
            emptyDir.put("sizeLimit", MemorySizes.kubernetesQuantity(MemorySizes.bytes(spec.shmSize())));
            Map<String, Object> volume = new LinkedHashMap<>();
            volume.put("name", SHM_VOLUME);
            volume.put("emptyDir", emptyDir);
            podSpec.put("volumes", List.of(volume));
        }

        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.put("metadata", Map.of("labels", labels));
        pod.put("spec", podSpec);
        try {
            return YAML.writeValueAsString(pod);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> toleration(String key, String operator, String value) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("key", key);
        t.put("operator", operator);
        if (value != null) {
            t.put("value", value);
        }
        t.put("effect", "NoSchedule");
        return t;
    }
}
