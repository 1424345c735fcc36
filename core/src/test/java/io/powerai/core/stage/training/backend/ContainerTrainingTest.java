package io.powerai.core.stage.training.backend;

import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.engine.Mount;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.training.TrainingRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerTrainingTest {
    private static final String IMAGE = "127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32);

    @TempDir
    Path tmp;

    private Path project;
    private Path outputs;

    @BeforeEach
    void createProject() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("train.py"), "print('training')\n");
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("data/moons.csv"), "x,y\n");
        outputs = Files.createDirectories(tmp.resolve("ws/train/outputs"));
    }

    /** The train section as a Jenkinsfile step would pass it; {@code extra} adds or overrides parameters. */
    private TrainSpec train(Map<String, Object> extra) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("script", "train.py");
        params.putAll(extra);
        return PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline().train();
    }

    private RunSpec runSpec(TrainSpec spec) {
        return ContainerTraining.runSpec(spec, IMAGE, project, outputs, "powerai-train-svm-moons-0a1b2c3d", "1000:1000");
    }

    @Test
    void runSpec_withData_mountsProjectAndDataReadOnlyAndOutputsReadWrite() {
        RunSpec run = runSpec(train(Map.of("data", "data")));

        assertThat(run.mounts()).containsExactly(
                new Mount(project, "/workspace/project", true),
                new Mount(project.resolve("data"), "/workspace/data", true),
                new Mount(outputs, "/workspace/outputs", false));
    }

    @Test
    void runSpec_withoutData_mountsNoData() {
        RunSpec run = runSpec(train(Map.of()));

        assertThat(run.mounts()).containsExactly(
                new Mount(project, "/workspace/project", true),
                new Mount(outputs, "/workspace/outputs", false));
    }

    @Test
    void runSpec_byDefault_hasNoNetworkAndNoGpus() {
        RunSpec run = runSpec(train(Map.of()));

        assertThat(run.network()).isEqualTo("none");
        assertThat(run.gpus()).isNull();
        List<String> args = new ContainerEngine(ContainerEngine.Kind.DOCKER, "docker", new ProcessRunner()).runArguments(run, Path.of("/tmp/env.list"));
        assertThat(args).containsSubsequence("--network", "none").doesNotContain("--gpus", "--device");
    }

    @Test
    void runSpec_hostNetworkRequested_usesHost() {
        assertThat(runSpec(train(Map.of("network", "host"))).network()).isEqualTo("host");
    }

    @Test
    void runSpec_gpusZero_hasNoGpus() {
        assertThat(runSpec(train(Map.of("gpus", 0))).gpus()).isNull();
    }

    @Test
    void runSpec_gpusRequested_passesThem() {
        assertThat(runSpec(train(Map.of("gpus", 2))).gpus()).isEqualTo("2");
        assertThat(runSpec(train(Map.of("gpus", "all"))).gpus()).isEqualTo("all");
        List<String> args = new ContainerEngine(ContainerEngine.Kind.DOCKER, "docker", new ProcessRunner())
                .runArguments(runSpec(train(Map.of("gpus", 2))), Path.of("/tmp/env.list"));
        assertThat(args).containsSubsequence("--gpus", "2", IMAGE);
    }

    @Test
    void runSpec_env_hasThePowerAiVariablesAndTheSpecsOwn() {
        RunSpec run = runSpec(train(Map.of("env", Map.of("SEED", "42", "OMP_NUM_THREADS", 1))));

        assertThat(run.env()).containsExactly(
                Map.entry("HOME", "/tmp"),
                Map.entry("OMP_NUM_THREADS", "1"),
                Map.entry("POWERAI_DATA", "/workspace/data"),
                Map.entry("POWERAI_OUTPUTS", "/workspace/outputs"),
                Map.entry("PYTHONUNBUFFERED", "1"),
                Map.entry("SEED", "42"));
    }

    @Test
    void runSpec_specEnvNamingAPowerAiVariable_isOverriddenByPowerAi() {
        RunSpec run = runSpec(train(Map.of("env", Map.of("POWERAI_OUTPUTS", "/elsewhere"))));

        assertThat(run.env()).containsEntry("POWERAI_OUTPUTS", "/workspace/outputs");
    }

    @Test
    void runSpec_command_isPython3ScriptThenArgs() {
        RunSpec run = runSpec(train(Map.of("args", List.of("--epochs", 3, "--lr", 0.1))));

        assertThat(run.command()).containsExactly("python3", "train.py", "--epochs", "3", "--lr", "0.1");
        assertThat(run.image()).isEqualTo(IMAGE);
    }

    @Test
    void runSpec_scriptInASubfolder_isRelativeToTheProjectMount() throws IOException {
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/train.py"), "print(1)\n");

        RunSpec run = runSpec(train(Map.of("script", "src/train.py")));

        assertThat(run.command()).containsExactly("python3", "src/train.py");
        assertThat(run.workDir()).isEqualTo("/workspace/project");
    }

    @Test
    void runSpec_nameUserWorkdirAndLabels_areSet() {
        RunSpec run = runSpec(train(Map.of()));

        assertThat(run.name()).isEqualTo("powerai-train-svm-moons-0a1b2c3d");
        assertThat(run.user()).isEqualTo("1000:1000");
        assertThat(run.workDir()).isEqualTo(TrainingRun.PROJECT);
        assertThat(run.labels()).containsExactly(Map.entry("io.powerai.managed", "true"), Map.entry("io.powerai.stage", "gpuTrain"));
        assertThat(run.detached()).isFalse();
    }

    @Test
    void runSpec_asDockerArguments_rendersTheWholeCommandLine() {
        RunSpec run = runSpec(train(Map.of("data", "data", "gpus", "all", "args", List.of("--seed", 7))));

        assertThat(new ContainerEngine(ContainerEngine.Kind.DOCKER, "docker", new ProcessRunner()).runArguments(run, Path.of("/tmp/env.list"))).containsExactly(
                "docker", "run", "--rm", "--name", "powerai-train-svm-moons-0a1b2c3d",
                "--network", "none", "--user", "1000:1000", "--workdir", "/workspace/project",
                "--volume", project.toAbsolutePath() + ":/workspace/project:ro",
                "--volume", project.resolve("data").toAbsolutePath() + ":/workspace/data:ro",
                "--volume", outputs.toAbsolutePath() + ":/workspace/outputs:rw",
                "--env-file", "/tmp/env.list",
                "--label", "io.powerai.managed=true", "--label", "io.powerai.stage=gpuTrain",
                "--gpus", "all",
                IMAGE, "python3", "train.py", "--seed", "7");
        assertThat(run.env()).containsExactly(Map.entry("HOME", "/tmp"), Map.entry("POWERAI_DATA", "/workspace/data"),
                Map.entry("POWERAI_OUTPUTS", "/workspace/outputs"), Map.entry("PYTHONUNBUFFERED", "1"));
    }
}
