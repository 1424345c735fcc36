package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resilience suite for stopped and concurrent runs, on the real CLI process and engine: SIGTERM (what Jenkins
 * sends on abort) and SIGKILL during a training, the scoring image's smoke test and a local deployment. Afterwards
 * nothing of the run is left running, the result and the audit log agree with what serves, and a rerun recovers.
 * The methods run in order on one small project (the later stages need the earlier ones' results).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbortsEndToEndTest {
    /** Fixed, so the snapshot (the base image alone) is already in the registry after the first run of this test. */
    private static final String NAME = "lifecycle-e2e";
    private static final String SLOW_TRAINING = "print('started', flush=True)\nimport time\ntime.sleep(600)\n";
    private static final String QUICK_TRAINING = "import os\nopen(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.pkl'), 'wb')"
            + ".write(b'model')\nprint('trained', flush=True)\nprint('{\"metric\": \"test_accuracy\", \"value\": 0.9}', flush=True)\n";
    private static final String GOOD_SCORE = "def init():\n    pass\n\n\ndef run(raw_data):\n    return {'ok': True}\n";
    /** A scoring image that never becomes ready: init() does not return. */
    private static final String HANGING_SCORE = "import time\n\n\ndef init():\n    time.sleep(600)\n\n\ndef run(raw_data):\n    return {}\n";

    private Path root;
    private Path project;
    private Path logs;
    private String neverReadyImage;
    private String goodImage;

    @BeforeAll
    void project() throws Exception {
        LocalInfrastructure.require();
        root = Files.createTempDirectory("powerai-aborts");
        project = root.resolve("project");
        logs = root.resolve("logs");
        Files.createDirectories(project);
        write("train.py", QUICK_TRAINING);
        write("score.py", GOOD_SCORE);
        write("powerai.yaml", "name: " + NAME + "\nregistry: " + LocalInfrastructure.REGISTRY + "\n"
                + "environment:\n  base_image: " + LocalInfrastructure.BASE_IMAGE + "\n"
                + "train:\n  script: train.py\n  timeout: 10m\n"
                + "score:\n  entry_script: score.py\n  model: model.pkl\n"
                + "deploy:\n  target: local\n  port: " + LocalInfrastructure.freePort() + "\n  ready_timeout: 300s\n");
        removeOurContainers();
        // The snapshot first, so that each case below needs only the results the cases before it leave on success.
        CliRun snapshot = CliRun.of("snapshot", project.toString());
        assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
    }

    @AfterAll
    void cleanUp() {
        if (root != null) {
            removeOurContainers();
        }
    }

    @Test
    @Order(1)
    void sigtermDuringTraining_stopsTheContainer_recordsAborted_exit143() throws Exception {
        CliProcess run = slowTraining();
        assertThat(jobContainers()).as("the training container runs").hasSize(1);

        run.terminate();
        assertThat(run.waitFor(Duration.ofSeconds(60))).as(run.toString()).isEqualTo(143);
        assertThat(jobContainers()).as("nothing left running").isEmpty();
        assertThat(run.err()).contains("powerai: stopped by SIGTERM").doesNotContain("Exception");
        assertThat(result("gpuTrain").get("status")).isEqualTo("aborted");
        Map<String, Object> last = lastAuditRecord();
        assertThat(last).containsEntry("stage", "gpuTrain").containsEntry("status", "aborted");
        assertThat(String.valueOf(details(last).get("reason"))).contains("SIGTERM");
        assertConsistent();
    }

    @Test
    @Order(2)
    void secondRunAtOnce_exit3_namesTheHolder_orWaitsWhenAsked() throws Exception {
        CliProcess first = slowTraining();

        CliProcess second = CliProcess.start(logs, "train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertThat(second.waitFor(Duration.ofSeconds(60))).as(second.toString()).isEqualTo(3);
        assertThat(second.err().strip().lines()).as(second.toString()).hasSize(1);
        assertThat(second.err()).contains("gpuTrain: the workspace", "is in use by pid " + first.pid(), "'powerai train " + project,
                " since 20", "--wait-lock");
        assertThat(first.isAlive()).as("the first run goes on undisturbed").isTrue();
        assertThat(jobContainers()).hasSize(1);

        CliProcess waiting = CliProcess.start(logs, "snapshot", project.toString(), "--wait-lock");
        waiting.awaitOutput(l -> l.contains("waiting for the workspace") && l.contains("pid " + first.pid()), Duration.ofSeconds(60));
        first.terminate();
        assertThat(first.waitFor(Duration.ofSeconds(60))).as(first.toString()).isEqualTo(143);
        assertThat(waiting.waitFor(Duration.ofSeconds(300))).as(waiting.toString()).isZero();
        assertThat(result("amlEnvSnapshot").get("status")).isEqualTo("succeeded");
        assertConsistent();
    }

    @Test
    @Order(3)
    void sigkillDuringTraining_nextRunRemovesTheContainer_andRecordsTheAbort() throws Exception {
        CliProcess run = slowTraining();
        run.kill();
        assertThat(jobContainers()).as("a killed run cannot stop its container").hasSize(1);
        long records = auditRecords().size();

        write("train.py", QUICK_TRAINING);
        CliRun rerun = CliRun.of("train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.out()).contains("removed container powerai-train-" + NAME).contains("recorded as aborted");
        assertThat(jobContainers()).isEmpty();
        List<Map<String, Object>> audit = auditRecords();
        assertThat(audit).hasSize((int) records + 2);
        assertThat(audit.get(audit.size() - 2)).containsEntry("stage", "gpuTrain").containsEntry("status", "aborted");
        assertThat(String.valueOf(details(audit.get(audit.size() - 2)).get("reason"))).contains("pid " + run.pid()).contains("killed");
        assertThat(audit.get(audit.size() - 1)).containsEntry("stage", "gpuTrain").containsEntry("status", "succeeded");
        assertThat(result("gpuTrain").get("status")).isEqualTo("succeeded");
        assertConsistent();
    }

    @Test
    @Order(4)
    void sigtermDuringTheScoringImageSmokeTest_removesTheSmokeContainer() throws Exception {
        write("train.py", QUICK_TRAINING); // a training of its own: this case does not hang on the ones before
        CliRun training = CliRun.of("train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertThat(training.exitCode()).as(training.toString()).isZero();
        write("score.py", HANGING_SCORE);
        CliProcess run = CliProcess.start(logs, "scoring-image", project.toString());
        run.awaitOutput(l -> l.contains("parity gate: starting"), Duration.ofSeconds(300));
        awaitTrue(() -> jobContainers().stream().anyMatch(c -> c.startsWith("powerai-smoke-")), "the smoke container runs");
        neverReadyImage = run.out().lines().filter(l -> l.contains("] building ")).findFirst().orElseThrow()
                .replaceFirst(".*] building (\\S+) .*", "$1");

        run.terminate();
        assertThat(run.waitFor(Duration.ofSeconds(60))).as(run.toString()).isEqualTo(143);
        assertThat(jobContainers()).as("nothing left running").isEmpty();
        assertThat(result("scoringImage").get("status")).isEqualTo("aborted");
        assertThat(lastAuditRecord()).containsEntry("stage", "scoringImage").containsEntry("status", "aborted");
        assertConsistent();
    }

    @Test
    @Order(5)
    void sigtermDuringADeployment_theImageThatServedServesAgain() throws Exception {
        write("score.py", GOOD_SCORE);
        CliRun scoring = CliRun.of("scoring-image", project.toString());
        assertThat(scoring.exitCode()).as(scoring.toString()).isZero();
        goodImage = String.valueOf(result("scoringImage").get("image"));
        CliRun deploy = CliRun.of("deploy", project.toString());
        assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
        assertThat(serving()).isEqualTo(goodImage);
        String record = label("io.powerai.metrics") + label("io.powerai.model-sha256") + label("io.powerai.since");
        assertThat(label("io.powerai.metrics")).isEqualTo("{\"test_accuracy\":0.9}");

        CliProcess run = CliProcess.start(logs, "deploy", project.toString(), "--image", neverReadyImage);
        awaitTrue(() -> neverReadyImage.equals(serving()), "the new image was started");
        run.terminate();
        assertThat(run.waitFor(Duration.ofSeconds(60))).as(run.toString()).isEqualTo(143);
        assertThat(serving()).as("what served before serves again").isEqualTo(goodImage);
        // with its own record of what it serves: the gate of the next deploy compares against its metrics
        assertThat(label("io.powerai.metrics")).isEqualTo("{\"test_accuracy\":0.9}");
        assertThat(label("io.powerai.metrics") + label("io.powerai.model-sha256") + label("io.powerai.since")).isEqualTo(record);
        Map<String, Object> result = result("aksDeploy");
        assertThat(result).containsEntry("status", "aborted").containsEntry("rolledBackTo", goodImage).containsEntry("serving", goodImage);
        assertThat(lastAuditRecord()).containsEntry("stage", "aksDeploy").containsEntry("status", "aborted");
        assertThat(details(lastAuditRecord())).containsEntry("rolledBackTo", goodImage);
        assertConsistent();
    }

    @Test
    @Order(6)
    void sigkillDuringADeployment_theNextRunRollsBackAndRecordsIt() throws Exception {
        CliProcess run = CliProcess.start(logs, "deploy", project.toString(), "--image", neverReadyImage);
        awaitTrue(() -> neverReadyImage.equals(serving()), "the new image was started");
        run.kill();
        assertThat(serving()).as("a killed run leaves its untested image serving").isEqualTo(neverReadyImage);

        CliRun rerun = CliRun.of("deploy", project.toString());
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.out()).contains("back to " + goodImage).contains("never passed its smoke test");
        List<Map<String, Object>> audit = auditRecords();
        Map<String, Object> aborted = audit.get(audit.size() - 2);
        assertThat(aborted).containsEntry("stage", "aksDeploy").containsEntry("status", "aborted");
        assertThat(details(aborted)).containsEntry("rolledBackTo", goodImage);
        assertThat(String.valueOf(details(aborted).get("reason"))).contains("pid " + run.pid());
        assertThat(audit.get(audit.size() - 1)).containsEntry("stage", "aksDeploy").containsEntry("status", "succeeded");
        assertThat(serving()).isEqualTo(goodImage);
        assertConsistent();
    }

    @Test
    @Order(7)
    void sigtermDuringTheSnapshotBuild_stopsTheBuild_recordsAborted_exit143() throws Exception {
        // A build that takes a while without anything made for the test: apt-get in the image (the Debian mirror,
        // as every snapshot with apt_packages reaches it). The project's file is put back for whatever runs after.
        String pipelineFile = Files.readString(project.resolve("powerai.yaml"));
        write("powerai.yaml", pipelineFile.replace("environment:\n", "environment:\n  apt_packages: [python3-pip]\n"));
        try {
            CliProcess run = CliProcess.start(logs, "snapshot", project.toString());
            run.awaitOutput(l -> l.contains("] building "), Duration.ofSeconds(120));
            awaitTrue(() -> !buildSteps().isEmpty(), "the build's apt-get runs");

            run.terminate();
            assertThat(run.waitFor(Duration.ofSeconds(60))).as(run.toString()).isEqualTo(143);
            assertThat(run.err()).contains("powerai: stopped by SIGTERM").doesNotContain("Exception");
            awaitTrue(() -> buildSteps().isEmpty(), "the build's container is gone");
            assertThat(result("amlEnvSnapshot").get("status")).isEqualTo("aborted");
            assertThat(lastAuditRecord()).containsEntry("stage", "amlEnvSnapshot").containsEntry("status", "aborted");
            assertConsistent();
        } finally {
            write("powerai.yaml", pipelineFile);
        }
    }

    /** The running build steps of the snapshot above (the engine's own containers for a Dockerfile's RUN). */
    private static List<String> buildSteps() {
        return docker("ps", "--no-trunc", "--format", "{{.Command}}").stream().filter(c -> c.contains("apt-get")).toList();
    }

    /** A training that runs until it is stopped, started and printing. */
    private CliProcess slowTraining() throws Exception {
        write("train.py", SLOW_TRAINING);
        CliProcess run = CliProcess.start(logs, "train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        return run.awaitOutput(l -> l.contains("[gpuTrain] | started"), Duration.ofSeconds(120));
    }

    /** No run under way is left written down, no job container runs, and the audit log verifies. */
    private void assertConsistent() throws IOException {
        Path inFlight = project.resolve(".powerai/in-flight");
        if (Files.isDirectory(inFlight)) {
            try (var files = Files.list(inFlight)) {
                assertThat(files.toList()).as("runs left under way").isEmpty();
            }
        }
        assertThat(jobContainers()).isEmpty();
        CliRun verify = CliRun.of("audit", "verify", project.toString());
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
    }

    private void write(String file, String content) throws IOException {
        Files.writeString(project.resolve(file), content);
    }

    private Map<String, Object> result(String step) throws IOException {
        return Json.readObject(project.resolve(".powerai/" + step + ".json"));
    }

    private List<Map<String, Object>> auditRecords() throws IOException {
        return Files.readAllLines(project.resolve(".powerai/audit.jsonl"), StandardCharsets.UTF_8).stream().map(line -> {
            try {
                return Json.parseObject(line);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private Map<String, Object> lastAuditRecord() throws IOException {
        List<Map<String, Object>> records = auditRecords();
        return records.get(records.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(Map<String, Object> record) {
        return (Map<String, Object>) record.get("details");
    }

    /** The training and smoke-test containers of this project, running or not. */
    private static List<String> jobContainers() {
        return docker("ps", "-a", "--filter", "label=io.powerai.managed=true", "--filter", "name=powerai-[a-z]+-" + NAME + "-",
                "--format", "{{.Names}}");
    }

    /** The image the local deployment's container runs, or "" when there is none. */
    private static String serving() {
        List<String> out = docker("inspect", "--format", "{{.Config.Image}}", "powerai-" + NAME);
        return out.size() == 1 && !out.get(0).startsWith("Error") ? out.get(0) : "";
    }

    /** A label of the local deployment's container, or "" when it has none. */
    private static String label(String key) {
        List<String> out = docker("inspect", "--format", "{{index .Config.Labels \"" + key + "\"}}", "powerai-" + NAME);
        return out.size() == 1 && !out.get(0).startsWith("Error") && !out.get(0).equals("<no value>") ? out.get(0) : "";
    }

    private static void removeOurContainers() {
        for (String name : docker("ps", "-a", "--filter", "name=" + NAME, "--format", "{{.Names}}")) {
            LocalInfrastructure.run("docker", "rm", "-f", name);
        }
    }

    private static List<String> docker(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitTrue(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not within 120 s: " + what);
    }
}
