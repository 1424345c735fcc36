package io.powerai.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai train --pod prepare|record} as the gpuTrain step calls them on a Kubernetes agent pod, with the
 * runner between them run by this machine's python3 as the pod's training container would run it.
 */
class PodTrainCommandTest {
    private static final String IMAGE = "127.0.0.1:5000/demo-env@sha256:" + "ab".repeat(32);

    @TempDir
    Path project;

    private void writeProject(String script) throws Exception {
        Files.writeString(project.resolve("train.py"), script);
        Files.writeString(project.resolve("powerai.yaml"), "name: demo\ntrain:\n  script: train.py\n");
    }

    @Test
    void prepare_runInTheContainer_record() throws Exception {
        writeProject("import json, os\nprint(json.dumps({'metric': 'loss', 'value': 0.25}))\n"
                + "open(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.pt'), 'w').write('w')\n");

        CliRun prepare = CliRun.of("train", project.toString(), "--image", IMAGE, "--pod", "prepare");
        assertThat(prepare.exitCode()).as(prepare.toString()).isZero();
        Path stage = project.resolve(".powerai/train");
        assertThat(prepare.out()).contains("run in container 'train': python3 " + stage.resolve("pod_train_runner.py") + " "
                + stage.resolve("pod-run.json"));

        Process runner = new ProcessBuilder("python3", stage.resolve("pod_train_runner.py").toString(), stage.resolve("pod-run.json").toString())
                .redirectErrorStream(true).start();
        assertThat(runner.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.exitValue()).isZero();

        CliRun record = CliRun.of("train", project.toString(), "--pod", "record");
        assertThat(record.exitCode()).as(record.toString()).isZero();
        assertThat(record.out()).contains("metrics: {loss=0.25}");
        assertThat(Files.readString(project.resolve(".powerai/gpuTrain.json"))).contains("\"jenkins-kubernetes-agent-pod\"")
                .contains("\"model.pt\"");
        assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();
    }

    @Test
    void prepare_fromTheStepsSpecFile_usesTheImageItNames() throws Exception {
        Files.writeString(project.resolve("train.py"), "print('x')\n");
        Path spec = Files.writeString(project.resolve("gpuTrain.json"), "{\"name\": \"demo\", \"script\": \"train.py\", \"image\": \"" + IMAGE + "\"}");

        CliRun prepare = CliRun.of("train", project.toString(), "--spec", spec.toString(), "--pod", "prepare");

        assertThat(prepare.exitCode()).as(prepare.toString()).isZero();
        assertThat(Files.readString(project.resolve(".powerai/train/pod-run.json"))).contains("\"image\" : \"" + IMAGE + "\"");
    }

    @Test
    void record_beforeTheContainerRan_exit1_oneLine() throws Exception {
        writeProject("print('x')\n");
        assertThat(CliRun.of("train", project.toString(), "--image", IMAGE, "--pod", "prepare").exitCode()).isZero();

        CliRun record = CliRun.of("train", project.toString(), "--pod", "record");

        assertThat(record.exitCode()).isEqualTo(1);
        assertThat(record.err().strip()).startsWith("gpuTrain: the training container did not finish the run: no pod-exit.json")
                .doesNotContain("\n");
    }

    @Test
    void unknownPart_exit2() throws Exception {
        writeProject("print('x')\n");

        CliRun run = CliRun.of("train", project.toString(), "--pod", "later");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("gpuTrain: '--pod' must be 'prepare' or 'record'; got 'later'");
        assertThat(List.of(project.toFile().list())).doesNotContain(".powerai");
    }
}
