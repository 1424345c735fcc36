package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, findings 2, 3, 4 and 8 end to end: a project from a pull request that links out of itself, or names
 * files to inject into a Dockerfile or a shell line, is refused with exit 2 and one line naming the link or the
 * name; nothing is copied into any image and nothing is run. The cases that need an image build run on the real
 * engine and registry (scripts/infra.sh); the others are refused before any engine is asked.
 */
class ResilienceInjectionTest {
    private static final String SECRET = "host-secret-7d41";

    @TempDir
    Path tmp;
    Path project;
    Path host;

    private String name;

    private void layout(String yamlSections) throws IOException {
        name = "inject-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        project = Files.createDirectories(tmp.resolve("project"));
        host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("secret.txt"), SECRET + "\n");
        // Were it run, the training would leave a marker in its outputs.
        write("train.py", "import os\nopen(os.path.join(os.environ['POWERAI_OUTPUTS'], 'ran'), 'w').write('ran')\n");
        write("powerai.yaml", "name: " + name + "\nenvironment:\n  base_image: " + LocalInfrastructure.BASE_IMAGE + "\n" + yamlSections);
    }

    private void write(String file, String content) throws IOException {
        Files.createDirectories(project.resolve(file).getParent());
        Files.writeString(project.resolve(file), content);
    }

    private void assertNothingWritten(String stageFolder) {
        assertThat(project.resolve(".powerai").resolve(stageFolder)).doesNotExist();
    }

    @Test
    void dataLinkedToAHostFolder_isRefused_noTrainingRuns() throws Exception {
        layout("train:\n  script: train.py\n  data: data\n");
        Files.createSymbolicLink(project.resolve("data"), host);

        CliRun.of("train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE)
                .assertOneLineError(2, "gpuTrain: 'data' must stay inside the project directory", "'data' is a link to " + host);
        assertNothingWritten("train");
    }

    @Test
    void pipRequirementsLinkedToAHostFile_isRefused_nothingCopied() throws Exception {
        layout("  pip_requirements: requirements.txt\n");
        Files.createSymbolicLink(project.resolve("requirements.txt"), host.resolve("secret.txt"));

        CliRun run = CliRun.of("snapshot", project.toString())
                .assertOneLineError(2, "amlEnvSnapshot: 'pip_requirements'", "'requirements.txt' is a link to " + host.resolve("secret.txt"));
        assertThat(run.out() + run.err()).doesNotContain(SECRET);
        assertNothingWritten("environment");
    }

    @Test
    void entryScriptLinkedToAHostFile_isRefused() throws Exception {
        layout("score:\n  entry_script: score.py\n  model: model.json\n");
        Files.createSymbolicLink(project.resolve("score.py"), host.resolve("secret.txt"));

        CliRun.of("scoring-image", project.toString())
                .assertOneLineError(2, "scoringImage: 'entry_script'", "'score.py' is a link to " + host.resolve("secret.txt"));
        assertNothingWritten("score");
    }

    @Test
    void aLineBreakInAFolderName_isRefusedOnOneLine_nothingWritten() throws Exception {
        layout("  pip_requirements: \"r\\nLABEL injected=yes/requirements.txt\"\n");
        write("r\nLABEL injected=yes/requirements.txt", "numpy>=1\n");

        CliRun.of("snapshot", project.toString())
                .assertOneLineError(2, "amlEnvSnapshot: 'pip_requirements' must not hold control characters",
                        "'r\\nLABEL injected=yes/requirements.txt'");
        assertNothingWritten("environment");
    }

    @Test
    void aShellCommandInTheRequirementsFolderName_isBuiltAsAName_neverRun() throws Exception {
        SnapshotLockEndToEndTest.pipBaseImage();
        // numpy is in the base image: pip finds it satisfied without an index.
        layout("  pip_requirements: 'r;touch $HOME/injected;x/req s.txt'\n");
        write("powerai.yaml", Files.readString(project.resolve("powerai.yaml")).replace(LocalInfrastructure.BASE_IMAGE,
                SnapshotLockEndToEndTest.PIP_BASE));
        write("r;touch $HOME/injected;x/req s.txt", "numpy>=1\n");

        CliRun run = CliRun.of("snapshot", project.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String image = String.valueOf(Json.readObject(project.resolve(".powerai/amlEnvSnapshot.json")).get("image"));
        try {
            String found = engine("run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c",
                    "ls -a /root / 2>/dev/null | grep -c injected || true");
            assertThat(found.strip()).as("the injected touch ran in the build").isEqualTo("0");
        } finally {
            engine("image", "rm", "-f", image);
        }
    }

    @Test
    void linksInTheTrainingOutputs_neverReachAnImage_aSpacedEntryScriptBuilds_andNoTokenIsPublished() throws Exception {
        LocalInfrastructure.require();
        layout("""
                train:
                  script: train.py
                  timeout: 2m
                score:
                  entry_script: my score.py
                  model: modeldir
                """);
        // The training writes a model folder and, when asked to, a link in it to a file of the host.
        write("train.py", """
                import json, os
                out = os.path.join(os.environ["POWERAI_OUTPUTS"], "modeldir")
                os.makedirs(out)
                json.dump({"scale": 2}, open(os.path.join(out, "model.json"), "w"))
                if os.path.exists("leak"):
                    os.symlink(open("leak").read().strip(), os.path.join(out, "leak.txt"))
                """);
        write("my score.py", """
                import json, os
                def init():
                    global scale
                    scale = json.load(open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.json")))["scale"]
                def run(raw):
                    return {"y": [v * scale for v in json.loads(raw)["x"]]}
                """);
        write("leak", host.resolve("secret.txt").toString());
        git("init", "-q");
        git("remote", "add", "origin", "https://bot:p@ss@" + SECRET + "@git.example/ml/inject.git?private_token=" + SECRET + "#" + SECRET);
        List<String> built = new ArrayList<>();
        try {
            CliRun snapshot = CliRun.of("snapshot", project.toString());
            assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
            built.add(String.valueOf(Json.readObject(project.resolve(".powerai/amlEnvSnapshot.json")).get("image")));

            // Finding 2 at the training: the link in the outputs is refused, naming it.
            CliRun train = CliRun.of("train", project.toString());
            train.assertOneLineError(2, "gpuTrain: training outputs refused: 'modeldir/leak.txt' is a link to " + host.resolve("secret.txt"));
            Map<String, Object> failed = Json.readObject(project.resolve(".powerai/gpuTrain.json"));
            assertThat(failed).containsEntry("status", "failed").containsEntry("failureReason", "unsafe-outputs");

            // A link planted after a clean training is refused by the scoring image: nothing built, nothing copied.
            Files.delete(project.resolve("leak"));
            CliRun clean = CliRun.of("train", project.toString());
            assertThat(clean.exitCode()).as(clean.toString()).isZero();
            Path planted = project.resolve(".powerai/train/outputs/modeldir/leak.txt");
            Files.createSymbolicLink(planted, host.resolve("secret.txt"));
            CliRun refused = CliRun.of("scoring-image", project.toString());
            refused.assertOneLineError(2, "scoringImage: 'model' refused: 'leak.txt' is a link to " + host.resolve("secret.txt"));
            assertThat(refused.out()).doesNotContain("building");
            assertThat(project.resolve(".powerai/score/context/model/leak.txt")).doesNotExist();

            // Without the link, the entry script with a space in its name builds, passes the gate and is pushed;
            // the source label, the result and the log carry the remote without its token.
            Files.delete(planted);
            CliRun scoring = CliRun.of("scoring-image", project.toString());
            assertThat(scoring.exitCode()).as(scoring.toString()).isZero();
            Map<String, Object> result = Json.readObject(project.resolve(".powerai/scoringImage.json"));
            built.add(String.valueOf(result.get("image")));
            assertThat(result.get("source")).isEqualTo("https://git.example/ml/inject.git");
            String labels = engine("image", "inspect", "--format", "{{json .Config.Labels}}", String.valueOf(result.get("image")));
            assertThat(labels).contains("\"org.opencontainers.image.source\":\"https://git.example/ml/inject.git\"");
            String everything = scoring.out() + scoring.err() + labels + Files.readString(project.resolve(".powerai/scoringImage.json"))
                    + Files.readString(project.resolve(".powerai/audit.jsonl"));
            assertThat(everything).doesNotContain(SECRET);
            String files = engine("run", "--rm", "--network", "none", "--entrypoint", "sh", String.valueOf(result.get("image")), "-c",
                    "find /var/azureml-app -name leak.txt | wc -l; cat '/var/azureml-app/my score.py' | head -1");
            assertThat(files).startsWith("0\n").contains("import json, os");
            assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();
        } finally {
            built.forEach(image -> engine("image", "rm", "-f", image));
        }
    }

    private void git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", project.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static String engine(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return ScoringServerEndToEndTest.run(command.toArray(String[]::new));
    }
}
