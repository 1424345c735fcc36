package io.powerai.core.stage.training.backend;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.CodeBundle;
import io.powerai.core.kubernetes.ExecOutputsTransport;
import io.powerai.core.kubernetes.JobWatch;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.kubernetes.OutputsTransport;
import io.powerai.core.kubernetes.PodLog;
import io.powerai.core.kubernetes.Timing;
import io.powerai.core.kubernetes.TrainingJob;
import io.powerai.core.kubernetes.TrainingPods;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Durations;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.ProjectSource;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.BackendFacts;
import io.powerai.core.stage.training.Metrics;
import io.powerai.core.stage.training.Placement;
import io.powerai.core.stage.training.TrainingLog;
import io.powerai.core.stage.training.TrainingOutcome;
import io.powerai.core.stage.training.TrainingRun;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * e13n on Kubernetes ({@code backend: kubernetes}): the training as a Job on the cluster, a GPU node pool when GPUs
 * are asked for, with the result, log, metrics and audit record of a run on the agent.
 * <p>
 * The project's files travel in a ConfigMap ({@link CodeBundle}, at most 1 MiB), the data in it too or on a
 * PersistentVolumeClaim ({@code data_claim}). The pod's log is followed into the training log while it runs
 * ({@link PodLog}); when the training container ends ({@link JobWatch}), its outputs are copied out of the keeper
 * container ({@link OutputsTransport}) and hashed. The Job and the ConfigMap are deleted whatever happened.
 * <p>
 * Validation happens before any connection: an invalid spec, an image not pinned by digest or a project too large
 * for a ConfigMap never reaches the cluster.
 */
public final class KubernetesTraining implements TrainingBackend {
    static final Stage STAGE = Stage.TRAIN;

    /** How the run waits and retries; the CLI uses {@link #defaults()}, tests their own. */
    public record Tuning(Timing timing, Backoff backoff, Duration poll, Duration logDrain) {
        public static Tuning defaults() {
            return new Tuning(Timing.system(), Backoff.DEFAULT, Duration.ofSeconds(2), Duration.ofSeconds(30));
        }
    }

    /** Opens the cluster connection; called only once the input has been validated. */
    @FunctionalInterface
    public interface Connector {
        KubeConnection open(StageEvents events);
    }

    private final StageContext ctx;
    private final Connector connector;
    private final Function<KubernetesClient, OutputsTransport> transports;
    private final Tuning tuning;
    private final StageEvents events;

    public KubernetesTraining(StageContext ctx, Connector connector, Function<KubernetesClient, OutputsTransport> transports,
                              Tuning tuning) {
        this.ctx = ctx;
        this.connector = connector;
        this.transports = transports;
        this.tuning = tuning;
        this.events = ctx.events().forStage(STAGE.stepName());
    }

    StageContext context() {
        return ctx;
    }

    /** As the command runs it: credentials from KUBECONFIG, outputs copied through exec. */
    public static KubernetesTraining of(StageContext ctx, io.powerai.core.kubernetes.ClusterCredentials cluster) {
        return new KubernetesTraining(ctx,
                events -> KubeConnection.open(STAGE.stepName(), null, cluster, events, KubeConnection.KUBECONFIG_HELP),
                ExecOutputsTransport::new, Tuning.defaults());
    }

    /** The ConfigMap and the Job of a run as multi-document YAML, contacting nothing. */
    public String dryRun(String imageOverride) {
        TrainingJob job = plan(imageOverride);
        return "# powerai train --dry-run: Job " + job.name() + " in namespace " + job.namespace() + ", and the ConfigMap "
                + job.configMapName() + " with the project's files.\n"
                + "# A run names its Job by the time it starts; it owns the ConfigMap, so deleting the Job deletes both.\n"
                + KubeYaml.yaml(job.objects());
    }

    /** Nothing is checked on this agent: the scheduler finds the GPUs. */
    @Override
    public Map<String, Object> preflight(String image) {
        TrainSpec spec = ctx.spec().train();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("stage", STAGE.stepName());
        out.put("backend", spec.backend());
        out.put("requested", spec.gpus());
        out.put("decision", "kubernetes");
        out.put("note", "backend 'kubernetes': nothing is checked on this agent; the scheduler puts the pod on a node with "
                + spec.gpus() + " free " + TrainingPods.GPU_RESOURCE);
        return out;
    }

    /** Everything checked, nothing contacted: the objects of this run. */
    TrainingJob plan(String imageOverride) {
        ctx.spec().require(STAGE);
        TrainSpec spec = ctx.spec().train();
        if (!TrainSpec.KUBERNETES.equals(spec.backend())) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'backend' must be 'kubernetes' for a Kubernetes Job; got '"
                    + spec.backend() + "'");
        }
        String image = TrainingRun.imageOf(ctx, imageOverride);
        ImageReference reference = ImageReference.parse(image);
        if (reference.digest().isEmpty()) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'image' must be pinned by digest on Kubernetes "
                    + "(name@sha256:<64 hex digits>, as amlEnvSnapshot records it), so that the node runs the bytes the audit "
                    + "record names; got '" + image + "'");
        }
        TrainingPods.gpuCount(spec);
        Path projectDir = ctx.spec().projectDir();
        CodeBundle code = CodeBundle.of(STAGE.stepName(), projectDir, TrainingRun.NOT_CODE, spec.data());
        String codeDigest = Digests.sha256OfTree(projectDir, projectDir, TrainingRun.NOT_CODE, STAGE.stepName() + ": the project's code");
        String snapshotId = TrainingRun.snapshotId(ctx, image);
        SortedMap<String, String> annotations = new TreeMap<>();
        annotations.put("powerai.io/image", image);
        annotations.put("powerai.io/code-sha256", codeDigest);
        if (spec.data() != null) {
            annotations.put("powerai.io/data-sha256",
                    Digests.sha256OfTree(spec.data(), projectDir, java.util.Set.of(), STAGE.stepName() + ": 'data'"));
        }
        if (snapshotId != null) {
            annotations.put("powerai.io/snapshot-id", snapshotId);
        }
        String revision = ProjectSource.of(projectDir).revision();
        if (revision != null) {
            annotations.put("powerai.io/revision", revision);
        }
        // Unique per run and the same for the same inputs at the same instant (tests fix the clock).
        String runId = Digests.sha256(image + "\n" + codeDigest + "\n" + spec.args() + "\n" + ctx.clock().instant()).substring(0, 8);
        return new TrainingJob(new TrainingJob.Plan(ctx.spec().name(), runId, image, spec, ContainerTraining.command(spec),
                ContainerTraining.environment(spec), ContainerTraining.workDir(spec), TrainingRun.PROJECT, TrainingRun.DATA, TrainingRun.OUTPUTS,
                code, annotations, snapshotId));
    }

    /** Submits the Job, follows it to its end, copies the outputs out and deletes what it created. */
    @Override
    public TrainingRun.Ended train(String imageOverride) {
        TrainingJob job = plan(imageOverride);
        TrainSpec spec = ctx.spec().train();
        String namespace = job.namespace();
        String image = job.plan().image();
        warnAboutLoopbackRegistry(image);
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path outputs = stageDir.resolve("outputs");
        TrainingRun.resetDirectory(outputs);
        TrainingRun.deleteIfExists(stageDir.resolve("gpu-samples.csv"));
        TrainingRun.deleteIfExists(stageDir.resolve("metrics.svg"));
        Metrics metrics = new Metrics();

        JobWatch.Ended ended;
        String outputsProblem = null;
        String logProblem;
        String lastLine;
        String server;
        long submitted;
        long durationMillis;
        try (KubeConnection connection = connector.open(events);
             TrainingLog log = TrainingLog.open(stageDir.resolve("train.log"), metrics, events)) {
            server = connection.server();
            KubernetesClient client = connection.client();
            KubeCalls calls = new KubeCalls(STAGE.stepName(), server, tuning.backoff(), tuning.timing(), events);
            events.progress("submitting Job " + namespace + "/" + job.name() + " to " + server + ": " + spec.script() + " in "
                    + image + (TrainingPods.gpuCount(spec) > 0 ? " with " + TrainingPods.gpuCount(spec) + " " + TrainingPods.GPU_RESOURCE : " on CPU")
                    + ", timeout " + Durations.format(spec.timeout()));
            Job created = calls.call("create Job " + namespace + "/" + job.name(),
                    () -> client.batch().v1().jobs().inNamespace(namespace).resource(job.job()).create());
            PodLog[] follower = new PodLog[1];
            submitted = tuning.timing().nanoTime();
            // A stopped build (Jenkins aborts with SIGTERM) must not leave a GPU busy until the Job's deadline.
            Thread onStop = new Thread(() -> deleteOnStop(client, namespace, job), "powerai-delete-" + job.name());
            Runtime.getRuntime().addShutdownHook(onStop);
            try {
                ConfigMap files = job.configMap();
                // Owned by the Job: whoever deletes the Job (powerai, ttlSecondsAfterFinished, a person) deletes the files too.
                files.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                        .withName(created.getMetadata().getName()).withUid(created.getMetadata().getUid()).withController(false)
                        .withBlockOwnerDeletion(false).build()));
                calls.call("create ConfigMap " + namespace + "/" + job.configMapName(),
                        () -> client.configMaps().inNamespace(namespace).resource(files).create());
                ended = new JobWatch(client, calls, tuning.timing(), tuning.poll(), events, STAGE.stepName())
                        .await(namespace, job.name(), job.podSelector(), TrainingPods.CONTAINER, spec.kubernetes().startTimeout(),
                                spec.timeout(), pod -> follower[0] = PodLog.follow(client, namespace, pod, TrainingPods.CONTAINER, log::line));
                durationMillis = (tuning.timing().nanoTime() - submitted) / 1_000_000;
                if (follower[0] == null && ran(ended)) {
                    follower[0] = PodLog.follow(client, namespace, ended.pod(), TrainingPods.CONTAINER, log::line); // ended before seen running
                }
                logProblem = follower[0] == null ? null : follower[0].finish(tuning.logDrain());
                if (logProblem != null) {
                    events.warning(logProblem + "; the training log may be incomplete");
                }
                lastLine = log.lastLine();
                if (ran(ended)) {
                    outputsProblem = copyOutputs(client, namespace, ended.pod(), outputs);
                } else if (ended.kind() == JobWatch.Kind.SUCCEEDED) {
                    outputsProblem = "no pod of the Job is left to copy them from";
                }
            } finally {
                cleanUp(client, calls, namespace, job);
                try {
                    Runtime.getRuntime().removeShutdownHook(onStop);
                } catch (IllegalStateException stopping) {
                    // the JVM is stopping: the hook runs, and deleting twice is harmless
                }
            }
        }
        return ended(job, server, ended, outputsProblem, metrics, durationMillis, lastLine);
    }

    /** Whether a pod of the Job started its training: only then is there a log to read and outputs to copy. */
    private static boolean ran(JobWatch.Ended ended) {
        return ended.pod() != null && ended.kind() != JobWatch.Kind.NOT_STARTED && ended.kind() != JobWatch.Kind.UNSCHEDULABLE;
    }

    /** Copies the outputs out of the keeper, then releases it; null, or why the outputs could not be copied. */
    private String copyOutputs(KubernetesClient client, String namespace, String pod, Path outputs) {
        OutputsTransport transport = transports.apply(client);
        String problem = null;
        try {
            transport.copy(namespace, pod, TrainingJob.KEEPER, TrainingRun.OUTPUTS, outputs);
        } catch (OutputsTransport.Unavailable e) {
            problem = e.getMessage();
        }
        try {
            transport.release(namespace, pod, TrainingJob.KEEPER);
        } catch (OutputsTransport.Unavailable e) {
            events.warning("the keeper container of pod " + namespace + "/" + pod + " was not released (" + e.getMessage()
                    + "); deleting the Job stops it");
        }
        return problem;
    }

    /**
     * Deletes the Job (propagation Background: its pod goes too; the API's default for Jobs would orphan it) and the
     * ConfigMap, whatever happened; a failure here is a warning naming what to delete by hand, never the run's outcome.
     */
    private void cleanUp(KubernetesClient client, KubeCalls calls, String namespace, TrainingJob job) {
        try {
            calls.run("delete Job " + namespace + "/" + job.name(), () -> client.batch().v1().jobs().inNamespace(namespace)
                    .withName(job.name()).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
            calls.run("delete ConfigMap " + namespace + "/" + job.configMapName(),
                    () -> client.configMaps().inNamespace(namespace).withName(job.configMapName()).delete());
            events.progress("deleted Job " + namespace + "/" + job.name() + " and ConfigMap " + job.configMapName());
        } catch (PowerAiException e) {
            events.warning("clean-up failed: " + e.messageIn(STAGE.stepName()) + "; delete them by hand: kubectl -n " + namespace + " delete job/"
                    + job.name() + " configmap/" + job.configMapName() + " (the cluster removes the Job "
                    + TrainingJob.TTL_SECONDS + " s after it ends)");
        }
    }

    /** One attempt, no retries, no events: the process is stopping. */
    private static void deleteOnStop(KubernetesClient client, String namespace, TrainingJob job) {
        try {
            client.batch().v1().jobs().inNamespace(namespace).withName(job.name())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            client.configMaps().inNamespace(namespace).withName(job.configMapName()).delete();
        } catch (RuntimeException e) {
            // ttlSecondsAfterFinished and activeDeadlineSeconds still bound what is left
        }
    }

    private TrainingRun.Ended ended(TrainingJob job, String server, JobWatch.Ended ended, String outputsProblem,
                                       Metrics metrics, long durationMillis, String lastLine) {
        TrainSpec spec = ctx.spec().train();
        String where = ended.pod() == null ? "Job " + job.namespace() + "/" + job.name() : "pod " + job.namespace() + "/" + ended.pod();
        String detail = ended.message() == null ? "" : ": " + ended.message();
        switch (ended.kind()) {
            case NOT_STARTED -> throw PowerAiException.StageFailed.bare(where + " could not start its "
                    + "training container (" + ended.reason() + detail + "); nothing ran");
            case UNSCHEDULABLE -> throw PowerAiException.InfrastructureUnavailable.bare("no node took " + where
                    + detail + " (check the node pool, node_selector, tolerations and the GPUs and memory asked for); nothing ran");
            default -> {
                // recorded below
            }
        }
        Path outputs = ctx.workspace().stageDir(STAGE).resolve("outputs");
        int exitCode = ended.exitCode() == null ? -1 : ended.exitCode();
        String failure = null;
        String reason = null;
        switch (ended.kind()) {
            case TIMED_OUT -> {
                failure = "DeadlineExceeded".equals(ended.reason())
                        ? "the cluster stopped the Job at its deadline (DeadlineExceeded, activeDeadlineSeconds "
                                + job.activeDeadlineSeconds() + ")" + detail
                        : "timed out after " + Durations.format(spec.timeout()) + " and was stopped (the Job was deleted)";
                reason = "timeout";
            }
            case FAILED -> {
                if ("OOMKilled".equals(ended.reason())) {
                    failure = "the training was killed by the out-of-memory killer (OOMKilled, exit code " + exitCode
                            + "): it needed more than its memory limit, memory_gb " + gigabytes(spec.kubernetes().memoryMi());
                    reason = "oom";
                } else if (ended.exitCode() != null) {
                    failure = TrainingOutcome.exitFailure(exitCode, Placement.CONTAINER) + (ended.reason() == null ? "" : " (" + ended.reason() + ")");
                    reason = exitCode == 137 ? "killed" : "exit-code";
                } else {
                    failure = "the " + ("JobDeleted".equals(ended.reason()) ? "run" : "Job") + " failed ("
                            + ended.reason() + detail + ")";
                    reason = "JobDeleted".equals(ended.reason()) ? "job-deleted" : "job-failed";
                }
            }
            case SUCCEEDED -> {
                if (outputsProblem != null) {
                    failure = "the training succeeded but its outputs could not be copied from " + where + ": " + outputsProblem;
                    reason = "outputs-missing";
                } else if (Digests.sha256Tree(outputs).isEmpty()) {
                    failure = "the training exited 0 but wrote no file to $POWERAI_OUTPUTS (" + TrainingRun.OUTPUTS + "): on "
                            + "Kubernetes that fails the run, as an empty copy cannot be told from a lost one";
                    reason = "no-outputs";
                }
            }
            default -> throw new IllegalStateException("unexpected " + ended.kind());
        }
        if (outputsProblem != null && ended.kind() != JobWatch.Kind.SUCCEEDED) {
            events.warning("the partial outputs could not be copied: " + outputsProblem);
        }
        TrainingResult.KubernetesPlacement kubernetes = new TrainingResult.KubernetesPlacement(server, job.namespace(), job.name(),
                ended.pod(), ended.node(), ended.reason());
        Map<String, String> inputs = new TreeMap<>();
        if (spec.kubernetes().dataClaim() != null) {
            // A claim's content is not read by powerai: it is named, not hashed.
            inputs.put("dataClaim", job.namespace() + "/" + spec.kubernetes().dataClaim());
        }
        return new TrainingRun.Ended(job.plan().image(), exitCode, failure, reason, lastLine, durationMillis, metrics,
                new BackendFacts(null, null, null, kubernetes, null), inputs, Map.of(), null);
    }

    private void warnAboutLoopbackRegistry(String image) {
        String registry = ImageReference.parse(image).registry();
        if (registry != null && (registry.startsWith("127.") || registry.startsWith("localhost") || registry.startsWith("[::1]"))) {
            events.warning("the image is in " + registry + ", a registry on this machine's loopback: a cluster's nodes pull from "
                    + "their own loopback, where it is not (push the snapshot to a registry the cluster reaches)");
        }
    }

    private static String gigabytes(Integer mebibytes) {
        if (mebibytes == null) {
            return "(none)";
        }
        return java.math.BigDecimal.valueOf(mebibytes).divide(java.math.BigDecimal.valueOf(1024)).stripTrailingZeros().toPlainString();
    }
}
