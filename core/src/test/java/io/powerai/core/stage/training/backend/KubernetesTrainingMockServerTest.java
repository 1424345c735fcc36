package io.powerai.core.stage.training.backend;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.Event;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.FakeTiming;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.kubernetes.MockApiServer;
import io.powerai.core.kubernetes.OutputsTransport;
import io.powerai.core.kubernetes.TrainingJob;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.TrainingPreflight;
import io.powerai.core.stage.training.TrainingRun;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Training runs as Jobs against fabric8's mock API server in CRUD mode: no real Kubernetes API server can run here
 * (see {@link MockApiServer}). The mock runs no Job controller and no kubelet, so this test plays them between polls
 * (creating the Job's pod, moving its training container from running to terminated, setting the Job's status); it
 * serves the pod's log through an expectation. The outputs come through a scripted {@link OutputsTransport}, except in
 * the test that copies them through the real {@code ExecOutputsTransport} ({@link io.powerai.core.kubernetes.PodWebSockets}
 * running the exec's commands as the kubelet would).
 */
class KubernetesTrainingMockServerTest {
    static final String NS = "default";
    static final String IMAGE = "myacr.azurecr.io/svm-moons-env:" + "d1".repeat(32) + "@sha256:" + "ab".repeat(32);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T18:00:00Z"), ZoneOffset.UTC);
    static final String NODE = "aks-gpunp-12345678-vmss000000";
    static final byte[] MODEL = "a pickled model".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path project;

    MockApiServer api;
    FakeTiming timing;
    ScriptedOutputs outputs;
    /** The transport the training gets: the scripted one unless a test sets another. */
    java.util.function.Function<io.fabric8.kubernetes.client.KubernetesClient, OutputsTransport> transports = client -> outputs;
    final List<Event> events = new ArrayList<>();
    /** What the cluster does at each poll: index = number of sleeps so far. */
    final List<Runnable> script = new ArrayList<>();
    int ticks;
    ConfigMap seenConfigMap;
    Job seenJob;

    @BeforeEach
    void setUp() throws Exception {
        api = new MockApiServer();
        timing = new FakeTiming().onSleep(() -> {
            if (ticks < script.size()) {
                script.get(ticks).run();
            }
            ticks++;
        });
        outputs = new ScriptedOutputs();
        Files.writeString(project.resolve("train.py"), "print('training')\n");
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("data/moons.csv"), "x,y,label\n");
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    // ------------------------------------------------------------------------------------------------ the scene

    private StageContext ctx(Map<String, Object> keys) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("script", "train.py");
        params.put("backend", "kubernetes");
        params.put("data", "data");
        params.put("gpus", 1);
        params.putAll(keys);
        PipelineSpec spec = PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline();
        return new StageContext(spec, new Workspace(project, CLOCK), null, null, events::add, CLOCK);
    }

    private KubernetesTraining training(Map<String, Object> keys) {
        return new KubernetesTraining(ctx(keys), ev -> api.connection(), transports,
                new KubernetesTraining.Tuning(timing, Backoff.DEFAULT, Duration.ofSeconds(2), Duration.ofSeconds(10)));
    }

    /** Runs the Job and records it, as {@code powerai train} does; the result as its file holds it. */
    private static Map<String, Object> run(KubernetesTraining training, String image) {
        return StageResults.toMap(TrainingRun.run(training, training.context(), image));
    }

    /** The names the run will use: the same plan, as the clock is fixed. */
    private TrainingJob job(Map<String, Object> keys) {
        return training(keys).plan(IMAGE);
    }

    private String podName(TrainingJob job) {
        return job.name() + "-x7k2p";
    }

    /** The Job controller creates the pod and the kubelet starts it: the training container runs. */
    private Runnable podRunning(TrainingJob job) {
        return () -> {
            seenJob = api.client.batch().v1().jobs().inNamespace(NS).withName(job.name()).get();
            seenConfigMap = api.client.configMaps().inNamespace(NS).withName(job.configMapName()).get();
            Pod pod = new PodBuilder()
                    .withNewMetadata().withName(podName(job)).withNamespace(NS)
                        .withLabels(seenJob.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                    .withSpec(seenJob.getSpec().getTemplate().getSpec())
                    .build();
            pod.getSpec().setNodeName(NODE);
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                    .withContainerStatuses(
                            new ContainerStatusBuilder().withName("train").withState(new ContainerStateBuilder().withNewRunning()
                                    .withStartedAt("2026-11-26T18:00:10Z").endRunning().build()).build(),
                            new ContainerStatusBuilder().withName("outputs").withState(new ContainerStateBuilder().withNewRunning()
                                    .withStartedAt("2026-11-26T18:00:10Z").endRunning().build()).build())
                    .build());
            api.client.pods().inNamespace(NS).resource(pod).create();
        };
    }

    /** The kubelet reports the training container's end (the keeper still runs). */
    private Runnable trainEnded(TrainingJob job, int exitCode, String reason) {
        return () -> {
            Pod pod = api.client.pods().inNamespace(NS).withName(podName(job)).get();
            pod.getStatus().getContainerStatuses().set(0, new ContainerStatusBuilder().withName("train")
                    .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
                            .withFinishedAt("2026-11-26T18:03:10Z").endTerminated().build()).build());
            api.client.pods().inNamespace(NS).resource(pod).updateStatus();
        };
    }

    /** The Job controller's verdict. */
    private Runnable jobStatus(TrainingJob job, boolean succeeded, String failedReason, String message) {
        return () -> {
            Job j = api.client.batch().v1().jobs().inNamespace(NS).withName(job.name()).get();
            JobStatusBuilder status = new JobStatusBuilder().withActive(0);
            if (succeeded) {
                status.withSucceeded(1).addToConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build());
            } else {
                status.withFailed(1).addToConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
                        .withReason(failedReason).withMessage(message).build());
            }
            j.setStatus(status.build());
            api.client.batch().v1().jobs().inNamespace(NS).resource(j).updateStatus();
        };
    }

    private void servesLog(TrainingJob job, String log) {
        api.server.expect().get()
                .withPath("/api/v1/namespaces/" + NS + "/pods/" + podName(job) + "/log?pretty=false&container=train&follow=true")
                .andReturn(200, log).always();
    }

    private void assertCleanedUp(TrainingJob job) {
        assertThat(api.client.batch().v1().jobs().inNamespace(NS).withName(job.name()).get()).as("Job deleted").isNull();
        assertThat(api.client.configMaps().inNamespace(NS).withName(job.configMapName()).get()).as("ConfigMap deleted").isNull();
    }

    private Map<String, Object> resultFile() throws Exception {
        return Json.readObject(project.resolve(".powerai/gpuTrain.json"));
    }

    private Map<String, Object> lastAudit() throws Exception {
        List<String> lines = Files.readAllLines(project.resolve(".powerai/audit.jsonl"));
        return Json.parseObject(lines.get(lines.size() - 1));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private List<String> messages(Event.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).map(Event::message).toList();
    }

    /** The outputs as the keeper would hand them over, or a failure to reach them; records every call. */
    static final class ScriptedOutputs implements OutputsTransport {
        final Map<String, byte[]> files = new LinkedHashMap<>();
        String unavailable;
        final List<String> calls = new ArrayList<>();

        @Override
        public void copy(String namespace, String pod, String container, String remoteDir, Path into) throws Unavailable {
            calls.add("copy " + namespace + "/" + pod + " " + container + " " + remoteDir);
            if (unavailable != null) {
                throw new Unavailable(unavailable, null);
            }
            try {
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    Path target = into.resolve(f.getKey());
                    Files.createDirectories(target.getParent());
                    Files.write(target, f.getValue());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void release(String namespace, String pod, String container) {
            calls.add("release " + namespace + "/" + pod + " " + container);
        }
    }

    // ------------------------------------------------------------------------------------------------ outcomes

    @Test
    void success_outputsCopiedThroughARealExec_keeperReleased(@TempDir Path pod) throws Exception {
        Path podOutputs = Files.createDirectories(pod.resolve("outputs/checkpoints"));
        Files.write(pod.resolve("outputs/model.pkl"), MODEL);
        Files.writeString(podOutputs.resolve("epoch 1.pt"), "epoch 1\n");
        api.pods.execMount(TrainingRun.OUTPUTS, pod.resolve("outputs"));
        api.pods.execMount(TrainingJob.RELEASE_FILE, pod.resolve("released"));
        transports = io.powerai.core.kubernetes.ExecOutputsTransport::new;
        TrainingJob job = job(Map.of());
        servesLog(job, "saved model.pkl\n");
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));
        script.add(jobStatus(job, true, null, null));

        Map<String, Object> result = run(training(Map.of()), IMAGE);

        assertThat(result.get("status")).isEqualTo("succeeded");
        assertThat(map(result.get("outputs"))).containsOnly(Map.entry("model.pkl", Digests.sha256(MODEL)),
                Map.entry("checkpoints/epoch 1.pt", Digests.sha256("epoch 1\n")));
        assertThat(project.resolve(".powerai/train/outputs/model.pkl")).hasBinaryContent(MODEL);
        assertThat(pod.resolve("released")).exists();
        assertThat(api.pods.execs.get(api.pods.execs.size() - 1)).containsExactly("touch", TrainingJob.RELEASE_FILE);
        assertCleanedUp(job);
    }

    @Test
    void success_logFollowed_metricsParsed_modelHashed_recordedAsForAContainerRun_thenCleanedUp() throws Exception {
        TrainingJob job = job(Map.of());
        servesLog(job, "loading data/moons.csv\n{\"metric\": \"test_accuracy\", \"value\": 0.97}\nsaved model.pkl\n");
        outputs.files.put("model.pkl", MODEL);
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));
        script.add(jobStatus(job, true, null, null));

        Map<String, Object> result = run(training(Map.of()), IMAGE);

        assertThat(result.get("status")).isEqualTo("succeeded");
        assertThat(result.get("backend")).isEqualTo("kubernetes");
        assertThat(map(result.get("outputs"))).containsExactly(Map.entry("model.pkl", Digests.sha256(MODEL)));
        assertThat(project.resolve(".powerai/train/outputs/model.pkl")).hasBinaryContent(MODEL);
        assertThat(map(result.get("metrics"))).containsEntry("test_accuracy", 0.97);
        assertThat(result.get("exitCode")).isEqualTo(0);
        assertThat(map(result.get("kubernetes"))).containsEntry("namespace", NS).containsEntry("job", job.name())
                .containsEntry("pod", podName(job)).containsEntry("node", NODE);
        assertThat(result).containsKeys("outputsDir", "log", "codeDigest", "dataDigest", "metricsChart", "audit")
                .containsEntry("image", IMAGE).containsEntry("environmentPinned", true).containsEntry("snapshotId", "d1".repeat(32));
        assertThat(Files.readString(project.resolve(".powerai/train/train.log")))
                .isEqualTo("loading data/moons.csv\n{\"metric\": \"test_accuracy\", \"value\": 0.97}\nsaved model.pkl\n");
        assertThat(messages(Event.Kind.LOG)).containsExactly("loading data/moons.csv", "metric test_accuracy=0.97", "saved model.pkl");
        assertThat(resultFile()).isEqualTo(Json.parseObject(Json.pretty(result)));

        Map<String, Object> audit = lastAudit();
        assertThat(audit.get("status")).isEqualTo("succeeded");
        assertThat(map(audit.get("inputs"))).containsEntry("image", IMAGE).containsEntry("snapshotId", "d1".repeat(32))
                .containsKeys("code", "data");
        assertThat(map(audit.get("outputs"))).containsEntry("outputs/model.pkl", Digests.sha256(MODEL)).containsKey("train.log");
        assertThat(map(audit.get("details"))).containsEntry("backend", "kubernetes").containsEntry("args", List.of())
                .containsEntry("kubernetes", result.get("kubernetes"));

        // What the cluster was given: the Job, never retried, and its files, owned by the Job.
        assertThat(seenJob.getSpec().getBackoffLimit()).isZero();
        assertThat(seenJob.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .containsKey("nvidia.com/gpu");
        assertThat(seenConfigMap.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind() + "/" + o.getName() + "/" + o.getUid())
                        .isEqualTo("Job/" + job.name() + "/" + seenJob.getMetadata().getUid()));
        assertThat(seenConfigMap.getData()).containsValue("print('training')\n");
        assertThat(outputs.calls).containsExactly("copy default/" + podName(job) + " outputs /workspace/outputs",
                "release default/" + podName(job) + " outputs");
        assertCleanedUp(job);
    }

    @Test
    void oomKilled_exit137_isReportedAsOom_exit1_recordedFailed_partialOutputsKept() throws Exception {
        TrainingJob job = job(Map.of("memory_gb", 2));
        servesLog(job, "epoch 1\n");
        outputs.files.put("checkpoint-1.pt", "partial".getBytes(StandardCharsets.UTF_8));
        script.add(podRunning(job));
        script.add(() -> {
            trainEnded(job, 137, "OOMKilled").run();
            jobStatus(job, false, "BackoffLimitExceeded", "Job has reached the specified backoff limit").run();
        });

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class,
                () -> run(training(Map.of("memory_gb", 2)), IMAGE));

        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training was killed by the out-of-memory killer (OOMKilled, exit code 137):"
                + " it needed more than its memory limit, memory_gb 2; log kept at ").endsWith("(last line: epoch 1)");
        assertThat(e.getMessage().lines()).hasSize(1);
        Map<String, Object> result = resultFile();
        assertThat(result).containsEntry("status", "failed").containsEntry("failureReason", "oom").containsEntry("exitCode", 137);
        assertThat(map(result.get("outputs"))).containsKey("checkpoint-1.pt");
        assertThat(lastAudit().get("status")).isEqualTo("failed");
        assertCleanedUp(job);
    }

    @Test
    void aScriptExitingNonZero_isAnExitCodeFailure() throws Exception {
        TrainingJob job = job(Map.of());
        script.add(podRunning(job));
        script.add(trainEnded(job, 2, "Error"));

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training script exited with code 2 (Error); log kept at ");
        assertThat(resultFile()).containsEntry("failureReason", "exit-code").containsEntry("exitCode", 2);
        assertCleanedUp(job);
    }

    @Test
    void timeout_statusNeverCompletes_theJobIsDeleted_recordedFailedWithTheReason() throws Exception {
        TrainingJob job = job(Map.of("timeout", "90s"));
        outputs.files.put("checkpoint-7.pt", "partial".getBytes(StandardCharsets.UTF_8));
        script.add(podRunning(job)); // and then nothing: the training never ends

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class,
                () -> run(training(Map.of("timeout", "90s")), IMAGE));

        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: timed out after 1m30s and was stopped (the Job was deleted); log kept at ");
        Map<String, Object> result = resultFile();
        assertThat(result).containsEntry("status", "failed").containsEntry("failureReason", "timeout");
        assertThat(map(result.get("outputs"))).containsKey("checkpoint-7.pt"); // copied before the Job went
        assertThat(map(result.get("kubernetes"))).containsEntry("reason", "Timeout");
        // Polled every 2 s from the moment it ran: 45 polls of run time, and not one more than needed.
        assertThat(timing.sleeps).hasSize(46).allMatch(d -> d.equals(Duration.ofSeconds(2)));
        assertCleanedUp(job);
    }

    @Test
    void theClustersDeadline_deadlineExceeded_isATimeoutToo() throws Exception {
        TrainingJob job = job(Map.of());
        outputs.unavailable = "pod default/" + podName(job) + " not found";
        script.add(podRunning(job));
        script.add(jobStatus(job, false, "DeadlineExceeded", "Job was active longer than specified deadline"));

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.getMessage()).contains("the cluster stopped the Job at its deadline (DeadlineExceeded, activeDeadlineSeconds "
                + job.activeDeadlineSeconds() + "): Job was active longer than specified deadline");
        assertThat(resultFile()).containsEntry("failureReason", "timeout");
        assertThat(messages(Event.Kind.WARNING)).anySatisfy(m -> assertThat(m).startsWith("the partial outputs could not be copied"));
        assertCleanedUp(job);
    }

    @Test
    void outputsEmpty_afterASuccessfulExit_failsWithAClearReason() throws Exception {
        TrainingJob job = job(Map.of());
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training exited 0 but wrote no file to $POWERAI_OUTPUTS (/workspace/outputs)");
        assertThat(resultFile()).containsEntry("status", "failed").containsEntry("failureReason", "no-outputs").containsEntry("exitCode", 0);
        assertCleanedUp(job);
    }

    @Test
    void outputsMissing_theCopyFails_failsWithAClearReason() throws Exception {
        TrainingJob job = job(Map.of());
        outputs.unavailable = "/workspace/outputs cannot be listed in container outputs of pod default/" + podName(job) + " (exit 2)";
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training succeeded but its outputs could not be copied from pod default/"
                + podName(job) + ": /workspace/outputs cannot be listed");
        assertThat(resultFile()).containsEntry("failureReason", "outputs-missing");
        assertCleanedUp(job);
    }

    @Test
    void aBrokenLogStream_theWholeLogIsReadOnceMore_noLineLost() throws Exception {
        TrainingJob job = job(Map.of());
        api.server.expect().get()
                .withPath("/api/v1/namespaces/" + NS + "/pods/" + podName(job) + "/log?pretty=false&container=train&follow=true")
                .andReturn(500, new StatusBuilder().withCode(500).withMessage("stream reset").build()).always();
        api.server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + podName(job) + "/log?pretty=false&container=train")
                .andReturn(200, "epoch 1\n{\"metric\": \"loss\", \"value\": 0.5}\n").always();
        outputs.files.put("model.pkl", MODEL);
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));

        Map<String, Object> result = run(training(Map.of()), IMAGE);

        assertThat(Files.readString(project.resolve(".powerai/train/train.log"))).isEqualTo("epoch 1\n{\"metric\": \"loss\", \"value\": 0.5}\n");
        assertThat(map(result.get("metrics"))).containsEntry("loss", 0.5);
    }

    @Test
    void aLogThatCannotBeReadAtAll_isAWarning_notTheOutcome() throws Exception {
        TrainingJob job = job(Map.of());
        for (String query : List.of("?pretty=false&container=train&follow=true", "?pretty=false&container=train")) {
            api.server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + podName(job) + "/log" + query)
                    .andReturn(403, new StatusBuilder().withCode(403).withMessage("pods \"" + podName(job) + "\" is forbidden: "
                            + "User \"ci\" cannot get resource \"pods/log\"").build()).always();
        }
        outputs.files.put("model.pkl", MODEL);
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));

        assertThat(run(training(Map.of()), IMAGE).get("status")).isEqualTo("succeeded");
        assertThat(messages(Event.Kind.WARNING)).anySatisfy(m -> assertThat(m).startsWith("the log of pod default/" + podName(job)
                + " could not be read (HTTP 403 pods \"" + podName(job) + "\" is forbidden: User \"ci\" cannot get resource \"pods/log\"): ")
                .endsWith("; the training log may be incomplete"));
        assertThat(Files.readString(project.resolve(".powerai/train/train.log"))).isEmpty(); // no API answer passes for a log line
    }

    @Test
    void aJobThatSucceeded_withNoPodLeft_hasItsOutputsMissing() throws Exception {
        TrainingJob job = job(Map.of());
        script.add(jobStatus(job, true, null, null)); // the pod already gone (garbage-collected, or never seen)

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.messageIn("gpuTrain")).startsWith("gpuTrain: the training succeeded but its outputs could not be copied from Job default/"
                + job.name() + ": no pod of the Job is left to copy them from; log kept at ");
        assertThat(resultFile()).containsEntry("failureReason", "outputs-missing");
        assertThat(outputs.calls).isEmpty();
        assertCleanedUp(job);
    }

    // ------------------------------------------------------------------------------------------------ refusals and faults

    @Test
    void aJobRejectedByTheApi_422_oneLineError_nothingRecorded_nothingLeft() throws Exception {
        TrainingJob job = job(Map.of());
        api.server.expect().post().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs")
                .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid").withMessage("Job.batch \"" + job.name()
                        + "\" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: \"4Gi\": must be less "
                        + "than or equal to memory limit").build()).once();

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.messageIn("gpuTrain")).isEqualTo("gpuTrain: the Kubernetes API refused to create Job default/" + job.name() + " (HTTP 422): "
                + "Job.batch \"" + job.name() + "\" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "
                + "\"4Gi\": must be less than or equal to memory limit");
        assertThat(timing.sleeps).isEmpty(); // a refusal is not retried
        assertThat(project.resolve(".powerai/gpuTrain.json")).doesNotExist();
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
        assertThat(api.client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void aJobNameTaken_409AlreadyExists_isNotRetried() {
        TrainingJob job = job(Map.of());
        api.server.expect().post().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs")
                .andReturn(409, new StatusBuilder().withCode(409).withReason("AlreadyExists")
                        .withMessage("jobs.batch \"" + job.name() + "\" already exists").build()).once();

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.messageIn("gpuTrain")).isEqualTo("gpuTrain: the Kubernetes API refused to create Job default/" + job.name()
                + " (HTTP 409): jobs.batch \"" + job.name() + "\" already exists");
        assertThat(timing.sleeps).isEmpty();
    }

    @Test
    void forbidden403_exit3_withTheApisMessage() {
        api.server.expect().post().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("jobs.batch is forbidden: User "
                        + "\"ci\" cannot create resource \"jobs\" in API group \"batch\" in the namespace \"default\"").build()).once();

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> run(training(Map.of()), IMAGE));

        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).contains("forbids the kubeconfig's user to create Job default/").contains("(HTTP 403): jobs.batch is forbidden");
    }

    @Test
    void theConfigMapRefused_theJobIsDeletedAgain() {
        TrainingJob job = job(Map.of());
        api.server.expect().post().withPath("/api/v1/namespaces/" + NS + "/configmaps")
                .andReturn(422, new StatusBuilder().withCode(422).withReason("Invalid").withMessage("ConfigMap \"" + job.configMapName()
                        + "\" is invalid: []: Too long: must have at most 1048576 bytes").build()).once();

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.getMessage()).contains("refused to create ConfigMap default/" + job.configMapName() + " (HTTP 422)");
        assertCleanedUp(job);
    }

    @Test
    void serverErrorsWhileWaiting_areRetriedWithBackoff() throws Exception {
        TrainingJob job = job(Map.of());
        outputs.files.put("model.pkl", MODEL);
        script.add(() -> {
            podRunning(job).run();
            api.server.expect().get().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs/" + job.name())
                    .andReturn(503, new StatusBuilder().withCode(503).withMessage("etcd leader changed").build()).times(2);
        });
        script.add(() -> { }); // the two backoff sleeps
        script.add(() -> { });
        script.add(trainEnded(job, 0, "Completed"));

        assertThat(run(training(Map.of()), IMAGE).get("status")).isEqualTo("succeeded");
        assertThat(timing.sleeps).contains(Duration.ofMillis(250), Duration.ofMillis(500));
        assertCleanedUp(job);
    }

    @Test
    void unreachableApi_exit3_nothingRecorded() {
        KubernetesTraining unreachable = new KubernetesTraining(ctx(Map.of()), ev -> KubeConnection.of(
                new io.fabric8.kubernetes.client.KubernetesClientBuilder().withKubernetesSerialization(KubeYaml.SERIALIZATION)
                        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                                .withMasterUrl("http://127.0.0.1:9").withRequestRetryBackoffLimit(0).build()).build()),
                client -> outputs, new KubernetesTraining.Tuning(timing, Backoff.DEFAULT, Duration.ofSeconds(2), Duration.ofSeconds(1)));

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> run(unreachable, IMAGE));

        assertThat(e.messageIn("gpuTrain")).isEqualTo("gpuTrain: cannot reach the Kubernetes API at http://127.0.0.1:9/ (after 5 attempts): "
                + "connection refused (check the cluster address in the kubeconfig, and the network)");
        assertThat(e.getMessage().lines()).hasSize(1);
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void noNodeTakesThePod_withinTheStartTimeout_exit3_withTheSchedulersMessage_nothingRecorded() {
        TrainingJob job = job(Map.of("start_timeout", "1m"));
        script.add(() -> {
            podRunning(job).run();
            Pod pod = api.client.pods().inNamespace(NS).withName(podName(job)).get();
            pod.getSpec().setNodeName(null);
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending")
                    .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                    .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available.").endCondition()
                    .build());
            api.client.pods().inNamespace(NS).resource(pod).update();
        });

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> run(training(Map.of("start_timeout", "1m")), IMAGE));

        assertThat(e.messageIn("gpuTrain")).isEqualTo("gpuTrain: no node took pod default/" + podName(job) + ": did not start within 1m: 0/3 nodes "
                + "are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available. (check the node pool, node_selector, "
                + "tolerations and the GPUs and memory asked for); nothing ran");
        assertThat(messages(Event.Kind.PROGRESS)).contains("waiting for a node: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu. "
                + "preemption: 0/3 nodes are available.");
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
        assertThat(outputs.calls).isEmpty();
        assertCleanedUp(job);
    }

    @Test
    void anImageThatCannotBePulled_endsTheWaitAtOnce_exit1_nothingRecorded() {
        TrainingJob job = job(Map.of());
        script.add(() -> {
            podRunning(job).run();
            Pod pod = api.client.pods().inNamespace(NS).withName(podName(job)).get();
            pod.getStatus().setPhase("Pending");
            pod.getStatus().getContainerStatuses().set(0, new ContainerStatusBuilder().withName("train")
                    .withState(new ContainerStateBuilder().withNewWaiting().withReason("ImagePullBackOff")
                            .withMessage("Back-off pulling image \"" + IMAGE + "\"").endWaiting().build()).build());
            api.client.pods().inNamespace(NS).resource(pod).updateStatus();
        });

        PowerAiException.StageFailed e = catchThrowableOfType(PowerAiException.StageFailed.class, () -> run(training(Map.of()), IMAGE));

        assertThat(e.messageIn("gpuTrain")).isEqualTo("gpuTrain: pod default/" + podName(job) + " could not start its training container "
                + "(ImagePullBackOff: Back-off pulling image \"" + IMAGE + "\"); nothing ran");
        assertThat(timing.sleeps).hasSize(1);
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
        assertCleanedUp(job);
    }

    @Test
    void theGpuPreflight_checksNothingOnTheAgent_forAJob() {
        Map<String, Object> preflight = TrainingPreflight.run(ctx(Map.of("gpus", 2)), IMAGE);

        assertThat(preflight).containsEntry("backend", "kubernetes").containsEntry("decision", "kubernetes").containsEntry("requested", "2");
        assertThat(String.valueOf(preflight.get("note"))).contains("nothing is checked on this agent");
    }

    @Test
    void aLoopbackRegistry_isWarnedAbout() {
        String local = "127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32);
        TrainingJob job = training(Map.of()).plan(local);
        outputs.files.put("model.pkl", MODEL);
        script.add(podRunning(job));
        script.add(trainEnded(job, 0, "Completed"));

        run(training(Map.of()), local);

        assertThat(messages(Event.Kind.WARNING)).anySatisfy(m -> assertThat(m).startsWith("the image is in 127.0.0.1:5000, a registry "
                + "on this machine's loopback"));
    }
}
