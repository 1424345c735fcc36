package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input and missing infrastructure: each ends with exit 2 or 3 and one line naming the stage, the field,
 * the value and the rule; never a stack trace. A failing training exits 1 and leaves its log and audit record.
 */
class FailuresTest {
    @TempDir
    Path project;

    private void write(String file, String content) throws Exception {
        Files.createDirectories(project.resolve(file).getParent());
        Files.writeString(project.resolve(file), content);
    }

    private void validProject(String extraTrain) throws Exception {
        write("train.py", "print('hello')\n");
        write("powerai.yaml", """
                name: demo
                environment:
                  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm
                train:
                  script: train.py
                """ + extraTrain);
    }

    private static void assertOneLineError(CliRun run, int exitCode, String... fragments) {
        run.assertOneLineError(exitCode, fragments);
    }

    @Test
    void unknownKey_exit2_listsTheValidKeys() throws Exception {
        validProject("  gpu: 1\n");
        assertOneLineError(CliRun.of("train", project.toString()), 2,
                "gpuTrain: unknown parameter 'gpu'. Valid parameters: args, backend, cpu_cores, cuda, data, data_claim, env, "
                        + "gpu_allow_shared, gpu_min_free_memory, gpu_policy, gpus, image_pull_secret, memory_gb, namespace, network, "
                        + "node_selector, python, script, service_account, shm_size, start_timeout, timeout, tolerations, ulimits, workdir");
    }

    @Test
    void missingTrainingScript_exit2_namesStageFieldValueAndRule() throws Exception {
        write("powerai.yaml", """
                name: demo
                environment:
                  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm
                train:
                  script: trian.py
                """);
        assertOneLineError(CliRun.of("train", project.toString()), 2, "gpuTrain: 'script'", "'trian.py'", "must name a file", "not found");
    }

    @Test
    void invalidYaml_exit2_saysWhere() throws Exception {
        write("powerai.yaml", "name: demo\nenvironment:\n  base_image: [unclosed\n");
        assertOneLineError(CliRun.of("snapshot", project.toString()), 2, "powerai.yaml: invalid YAML", "line");
    }

    @Test
    void invalidImageReference_exit2_namesTheBrokenPart() throws Exception {
        write("powerai.yaml", "name: demo\nenvironment:\n  base_image: 127.0.0.1:5000/Python-ML:bookworm\n");
        assertOneLineError(CliRun.of("snapshot", project.toString()), 2,
                "amlEnvSnapshot: 'base_image' must be an image reference", "'Python-ML'", "lowercase");
    }

    @Test
    void severalProblems_allReportedAtOnce_oneLineEach() throws Exception {
        write("powerai.yaml", "name: Demo\nenvironment:\n  base_image: ''\ntrain:\n  script: none.py\n  gpus: many\n");
        CliRun run = CliRun.of("run", project.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(4)
                .anySatisfy(l -> assertThat(l).startsWith("powerai.yaml: 'name'"))
                .anySatisfy(l -> assertThat(l).startsWith("amlEnvSnapshot: 'base_image'"))
                .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: 'script'"))
                .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: 'gpus'"));
    }

    @Test
    void credentialInAnIndexUrl_exit2_masked_nothingWritten() throws Exception {
        write("requirements.txt", "--index-url https://alice:hunter2@pkgs.example/simple\nnumpy==1.26.4\n");
        write("powerai.yaml", "name: demo\nenvironment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n"
                + "  pip_requirements: requirements.txt\n");
        CliRun run = CliRun.of("snapshot", project.toString());
        assertOneLineError(run, 2, "amlEnvSnapshot", "'https://alice:****@pkgs.example/simple' carries a credential in the URL");
        assertThat(run.out() + run.err()).doesNotContain("hunter2");
        assertThat(project.resolve(".powerai/environment")).doesNotExist();
    }

    @Test
    void pipRequirements_onABaseImageWithoutPip_exit2_beforeAnyBuild_sayingWhatTheBaseLacks() throws Exception {
        LocalInfrastructure.require();
        // The local base image has Debian's python3 and numpy but no pip (no python3-pip).
        String name = "nopip-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        write("requirements.txt", "numpy\n");
        write("powerai.yaml", "name: " + name + "\nenvironment:\n  base_image: " + LocalInfrastructure.BASE_IMAGE + "\n"
                + "  pip_requirements: requirements.txt\n");

        CliRun run = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "snapshot", project.toString());

        assertOneLineError(run, 2, "amlEnvSnapshot: 'pip_requirements' installs with pip, and the base image "
                + "127.0.0.1:5000/powerai/python-ml:bookworm (sha256:", ") has no pip (python3 -m pip --version: ",
                "No module named pip", "add 'python3-pip' to apt_packages");
        assertThat(run.out()).doesNotContain("building");
        assertThat(LocalInfrastructure.manifestDigest(name + "-env", "latest")).isEmpty();
        assertThat(Files.list(project.resolve(".powerai/environment")).map(p -> p.getFileName().toString()).toList())
                .as("no build context: nothing was built").doesNotContain("context");

        // Asked once per base digest: the second run answers from the workspace (here an answer planted in it).
        Path probe = project.resolve(".powerai/environment/base-pip-probe.json");
        Map<String, Object> cached = Json.readObject(probe);
        assertThat(String.valueOf(cached.get("answer"))).startsWith("no pip: ");
        Files.writeString(probe, Json.pretty(Map.of("digest", cached.get("digest"), "answer", "no pip: the planted answer")));
        CliRun again = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "snapshot", project.toString());
        assertOneLineError(again, 2, "has no pip (python3 -m pip --version: the planted answer)");
    }

    @Test
    void engineNotInstalled_exit3() throws Exception {
        validProject("");
        assertOneLineError(CliRun.of("train", project.toString(), "--engine", "/nonexistent/docker",
                "--image", LocalInfrastructure.BASE_IMAGE), 3, "container engine '/nonexistent/docker' is not installed");
    }

    @Test
    void registryUnreachable_exit3() throws Exception {
        write("powerai.yaml", "name: demo\nenvironment:\n  base_image: 127.0.0.1:1/powerai/python-ml:bookworm\n");
        assertOneLineError(CliRun.of("snapshot", project.toString()), 3, "registry 127.0.0.1:1 is unreachable");
    }

    @Test
    void unknownCommandOption_exit2() {
        CliRun run = CliRun.of("train", "--gpu", "1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--gpu'");
    }

    @Test
    void trainingScriptFails_exit1_logKept_failureAudited() throws Exception {
        LocalInfrastructure.require();
        write("train.py", "import sys\nprint('loading data')\nprint('boom: no such column', file=sys.stderr)\nsys.exit(4)\n");
        write("powerai.yaml", """
                name: demo-fail
                environment:
                  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm
                train:
                  script: train.py
                """);
        CliRun run = CliRun.of("train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("[gpuTrain] | loading data").contains("[gpuTrain] | boom: no such column");
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("gpuTrain: the training script exited with code 4; log kept at");

        Path ws = project.resolve(".powerai");
        assertThat(Files.readString(ws.resolve("train/train.log"))).contains("loading data").contains("boom: no such column");
        Map<String, Object> result = Json.readObject(ws.resolve("gpuTrain.json"));
        assertThat(result.get("status")).isEqualTo("failed");
        assertThat(result.get("exitCode")).isEqualTo(4);
        String record = Files.readAllLines(ws.resolve("audit.jsonl")).get(0);
        assertThat(record).contains("\"status\":\"failed\"").contains("\"exitCode\":4");
        assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();

        // The next stage refuses to build on a failed training.
        write("score.py", "def init():\n    pass\ndef run(raw):\n    return raw\n");
        Files.writeString(project.resolve("powerai.yaml"), Files.readString(project.resolve("powerai.yaml"))
                + "score:\n  entry_script: score.py\n  model: model.pkl\n");
        CliRun scoring = CliRun.of("scoring-image", project.toString());
        assertThat(scoring.exitCode()).isEqualTo(2);
        assertThat(scoring.err()).contains("scoringImage: the last gpuTrain").contains("did not succeed");
    }
}
