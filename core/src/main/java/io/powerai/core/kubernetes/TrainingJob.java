package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.powerai.core.spec.KubeNames;
import io.powerai.core.spec.TrainSpec;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Kubernetes objects of one training run with {@code backend: kubernetes}, rendered from the plan alone (the
 * same plan gives the same bytes):
 * <ul>
 *   <li>ConfigMap {@code <job>-code}: the project's files ({@link CodeBundle}), mounted read-only at the project path,
 *       and the {@code data} folder's again at the data path (or a PersistentVolumeClaim there, {@code data_claim});</li>
 *   <li>Job {@code <name>-train-<run id>}: one pod, never retried ({@code backoffLimit: 0}: a training is not rerun
 *       blindly), stopped by the cluster itself at {@code activeDeadlineSeconds} should powerai be gone, and removed
 *       {@value #TTL_SECONDS} s after it ends ({@code ttlSecondsAfterFinished}) should powerai not remove it first.</li>
 * </ul>
 * The pod has two containers: {@value TrainingPods#CONTAINER} runs the script, writing to an {@code emptyDir} at the
 * outputs path; {@value #KEEPER} mounts the same volume and only waits, so that the outputs outlive the training
 * until powerai has copied them out (through the API's exec) and releases it by creating {@value #RELEASE_FILE}.
 */
public final class TrainingJob {
    public static final String KEEPER = "outputs";
    public static final String RELEASE_FILE = "/tmp/powerai-release";
    public static final String RUN_ID = "powerai.io/run-id";
    public static final String SNAPSHOT = "powerai.io/snapshot";
    public static final int TTL_SECONDS = 3600;
    /** What the cluster's deadline adds to start and run time, for copying the outputs out. */
    public static final Duration COPY_GRACE = Duration.ofMinutes(10);
    /** Waits until released (or stopped): a shell loop, so any image with a POSIX shell can keep the outputs. */
    static final String KEEPER_SCRIPT = "trap 'exit 0' TERM; while [ ! -e " + RELEASE_FILE + " ]; do sleep 1; done";
    static final String PROJECT_VOLUME = "project";
    static final String DATA_VOLUME = "data";
    static final String OUTPUTS_VOLUME = "outputs";

    /**
     * Everything one run's objects are made of.
     *
     * @param runId       a short id unique to the run (lowercase hex), in the names and the {@value #RUN_ID} label
     * @param command     the training container's command ({@code python3 SCRIPT ARGS...})
     * @param annotations what the run is made of (image, snapshot id, code and data digests, git commit), kept on the Job
     * @param snapshotId  the environment snapshot's id, or null when unknown
     */
    public record Plan(String projectName, String runId, String image, TrainSpec spec, List<String> command,
                       SortedMap<String, String> env, String workingDir, String projectPath, String dataPath, String outputsPath,
                       CodeBundle code, SortedMap<String, String> annotations, String snapshotId) {
        public Plan {
            command = List.copyOf(command);
            env = new TreeMap<>(env);
            annotations = new TreeMap<>(annotations);
        }
    }

    private final Plan plan;

    public TrainingJob(Plan plan) {
        this.plan = plan;
    }

    public Plan plan() {
        return plan;
    }

    public String name() {
        return KubeNames.labelWithSuffix(plan.projectName() + "-train", plan.runId());
    }

    public String configMapName() {
        return name() + "-code";
    }

    public String namespace() {
        return plan.spec().kubernetes().namespace();
    }

    /** Selects the run's pod (the Job controller's own labels vary by Kubernetes version; this one is ours). */
    public Map<String, String> podSelector() {
        return Map.of(RUN_ID, plan.runId());
    }

    private Map<String, String> labels() {
        Map<String, String> labels = TrainingPods.labels(plan.projectName());
        labels.put("app.kubernetes.io/instance", name());
        labels.put(RUN_ID, plan.runId());
        if (plan.snapshotId() != null) {
            // A label value holds 63 characters: the first 12 of the id select; the annotation keeps it whole.
            labels.put(SNAPSHOT, plan.snapshotId().substring(0, Math.min(12, plan.snapshotId().length())));
        }
        return labels;
    }

    /** The cluster's own deadline: start, run and copy, so that a Job outliving powerai still ends. */
    public long activeDeadlineSeconds() {
        return plan.spec().kubernetes().startTimeout().plus(plan.spec().timeout()).plus(COPY_GRACE).toSeconds();
    }

    public ConfigMap configMap() {
        return plan.code().configMap(configMapName(), namespace(), labels());
    }

    public Job job() {
        TrainSpec spec = plan.spec();
        ContainerBuilder train = TrainingPods.trainContainer(spec, plan.image(), plan.env())
                .withImagePullPolicy("IfNotPresent")
                .withCommand(plan.command())
                .withWorkingDir(plan.workingDir())
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).endSecurityContext()
                .addToVolumeMounts(new VolumeMountBuilder().withName(PROJECT_VOLUME).withMountPath(plan.projectPath()).withReadOnly(true).build());
        if (plan.code().hasData() || spec.kubernetes().dataClaim() != null) {
            train.addToVolumeMounts(new VolumeMountBuilder().withName(DATA_VOLUME).withMountPath(plan.dataPath()).withReadOnly(true).build());
        }
        train.addToVolumeMounts(new VolumeMountBuilder().withName(OUTPUTS_VOLUME).withMountPath(plan.outputsPath()).build());

        Map<String, Quantity> keeperRequests = new LinkedHashMap<>();
        keeperRequests.put("cpu", new Quantity("10m"));
        keeperRequests.put("memory", new Quantity("16Mi"));
        ContainerBuilder keeper = new ContainerBuilder()
                .withName(KEEPER)
                .withImage(plan.image())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", KEEPER_SCRIPT)
                .withNewResources().withRequests(keeperRequests).withLimits(Map.of("memory", new Quantity("64Mi"))).endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).endSecurityContext()
                .addToVolumeMounts(new VolumeMountBuilder().withName(OUTPUTS_VOLUME).withMountPath(plan.outputsPath()).withReadOnly(true).build());

        var pod = TrainingPods.podSpec(spec)
                // The training calls no Kubernetes API; a named service account (workload identity) keeps its token.
                .withAutomountServiceAccountToken(spec.kubernetes().serviceAccount() == null ? false : null)
                .withContainers(train.build(), keeper.build())
                .addToVolumes(new VolumeBuilder().withName(PROJECT_VOLUME)
                        .withNewConfigMap().withName(configMapName()).withItems(plan.code().projectItems()).withDefaultMode(0444).endConfigMap()
                        .build());
        if (spec.kubernetes().dataClaim() != null) {
            pod.addToVolumes(new VolumeBuilder().withName(DATA_VOLUME)
                    .withNewPersistentVolumeClaim().withClaimName(spec.kubernetes().dataClaim()).withReadOnly(true).endPersistentVolumeClaim()
                    .build());
        } else if (plan.code().hasData()) {
            pod.addToVolumes(new VolumeBuilder().withName(DATA_VOLUME)
                    .withNewConfigMap().withName(configMapName()).withItems(plan.code().dataItems()).withDefaultMode(0444).endConfigMap()
                    .build());
        }
        pod.addToVolumes(new VolumeBuilder().withName(OUTPUTS_VOLUME).withNewEmptyDir().endEmptyDir().build());

        return new JobBuilder()
                .withNewMetadata().withName(name()).withNamespace(namespace()).withLabels(labels())
                    .withAnnotations(new LinkedHashMap<>(plan.annotations())).endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(activeDeadlineSeconds())
                    .withTtlSecondsAfterFinished(TTL_SECONDS)
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels()).withAnnotations(new LinkedHashMap<>(plan.annotations())).endMetadata()
                        .withSpec(pod.build())
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** The objects in the order they are created: the ConfigMap the pod mounts, then the Job. */
    public List<HasMetadata> objects() {
        return List.of(configMap(), job());
    }
}
