package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.powerai.core.PowerAiException;
import io.powerai.core.gpurequest.GpuRequest;
import io.powerai.core.spec.MemorySizes;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.spec.TrainingPodSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place a training pod is put together, for both places a training runs on Kubernetes: the Job of
 * {@code backend: kubernetes} ({@link TrainingJob}) and the agent pod of Jenkins' kubernetes plugin
 * ({@link TrainingPodTemplate}). What they share: {@code nvidia.com/gpu} limits, the tolerations GPU node pools are
 * tainted with, the node selector, CPU and memory requests, the service account and pull secret, and a
 * memory-backed {@code /dev/shm}.
 */
public final class TrainingPods {
    public static final String CONTAINER = "train";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    static final String SHM_VOLUME = "dshm";

    private TrainingPods() {
    }

    /** The number of GPUs a pod asks for: a pod names a count, the device plugin picks the devices. */
    public static int gpuCount(TrainSpec spec) {
        // Prefixed here, not by the face: `powerai pod-template` reaches this too, and names the training's stage.
        String gpus = spec.gpus();
        if ("all".equals(gpus)) {
            throw new PowerAiException.InvalidInput(Stage.TRAIN.stepName() + ": 'gpus' must be a count on Kubernetes "
                    + "(a pod asks for a number of " + GPU_RESOURCE + "); got 'all'");
        }
        if (gpus != null && gpus.startsWith(GpuRequest.DEVICES_PREFIX)) {
            throw new PowerAiException.InvalidInput(Stage.TRAIN.stepName() + ": 'gpus' must be a count on Kubernetes "
                    + "(the device plugin picks the devices; a pod cannot name them); got '" + gpus + "'");
        }
        return gpus == null ? 0 : Integer.parseInt(gpus);
    }

    /**
     * The tolerations of the pod: the spec's own when it names them, else, with GPUs, those of GPU node pools:
     * AKS GPU pools are commonly tainted {@code sku=gpu:NoSchedule}, the NVIDIA device plugin's taint is
     * {@code nvidia.com/gpu}.
     */
    public static List<Toleration> tolerations(TrainingPodSettings settings, int gpus) {
        if (settings.tolerations() == null) {
            return gpus > 0 ? gpuTolerations() : List.of();
        }
        List<Toleration> out = new ArrayList<>();
        for (TrainingPodSettings.TolerationSpec t : settings.tolerations()) {
            out.add(new TolerationBuilder().withKey(t.key()).withOperator(t.operator()).withValue(t.value())
                    .withEffect(t.effect()).withTolerationSeconds(t.tolerationSeconds()).build());
        }
        return out;
    }

    /** What a GPU pod tolerates by default (scoring pods with GPUs too). */
    public static List<Toleration> gpuTolerations() {
        return List.of(
                new TolerationBuilder().withKey("sku").withOperator("Equal").withValue("gpu").withEffect("NoSchedule").build(),
                new TolerationBuilder().withKey(GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").build());
    }

    /**
     * The training container without its command: image, environment, resources and the {@code /dev/shm} mount.
     * GPUs are limits (extended resources cannot be overcommitted); memory is requested and limited alike, so the
     * node never overcommits it and an OOM kill is the training's own; CPU is only requested (idle cores are free).
     */
    static ContainerBuilder trainContainer(TrainSpec spec, String image, Map<String, String> env) {
        int gpus = gpuCount(spec);
        TrainingPodSettings settings = spec.kubernetes();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (settings.cpuMillis() != null) {
            requests.put("cpu", KubeQuantities.cpu(settings.cpuMillis()));
        }
        if (settings.memoryMi() != null) {
            requests.put("memory", KubeQuantities.memory(settings.memoryMi()));
            limits.put("memory", KubeQuantities.memory(settings.memoryMi()));
        }
        if (gpus > 0) {
            limits.put(GPU_RESOURCE, new Quantity(String.valueOf(gpus)));
        }
        List<EnvVar> variables = new ArrayList<>();
        env.forEach((k, v) -> variables.add(new EnvVarBuilder().withName(k).withValue(v).build()));
        ContainerBuilder container = new ContainerBuilder().withName(CONTAINER).withImage(image).withEnv(variables);
        if (!requests.isEmpty() || !limits.isEmpty()) {
            container.withNewResources().withRequests(requests).withLimits(limits).endResources();
        }
        if (spec.shmSize() != null) {
            container.addToVolumeMounts(new VolumeMountBuilder().withName(SHM_VOLUME).withMountPath("/dev/shm").build());
        }
        return container;
    }

    /** The pod around the containers: never restarted, where it may run, as whom, and its {@code /dev/shm}. */
    static PodSpecBuilder podSpec(TrainSpec spec) {
        TrainingPodSettings settings = spec.kubernetes();
        PodSpecBuilder pod = new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withNodeSelector(settings.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(settings.nodeSelector()))
                .withTolerations(tolerations(settings, gpuCount(spec)))
                .withServiceAccountName(settings.serviceAccount());
        if (settings.imagePullSecret() != null) {
            pod.withImagePullSecrets(new LocalObjectReference(settings.imagePullSecret()));
        }
        if (spec.shmSize() != null) {
            // A pod's /dev/shm is 64 MiB; PyTorch's DataLoader workers need more: a memory-backed emptyDir replaces it.
            pod.addToVolumes(new VolumeBuilder().withName(SHM_VOLUME).withNewEmptyDir().withMedium("Memory")
                    .withSizeLimit(new Quantity(MemorySizes.kubernetesQuantity(MemorySizes.bytes(spec.shmSize())))).endEmptyDir().build());
        }
        return pod;
    }

    /** The labels every training object carries (Job, pod, ConfigMap, agent pod). */
    static Map<String, String> labels(String projectName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", projectName);
        labels.put("app.kubernetes.io/component", "training");
        labels.put("app.kubernetes.io/managed-by", "powerai");
        return labels;
    }
}
