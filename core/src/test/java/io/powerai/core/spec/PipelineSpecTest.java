package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import io.powerai.core.image.ImageReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PipelineSpecTest {
    @TempDir
    Path tmp;

    /** The project lives one level below the temp dir, so that "../x.py" names a file that really exists. */
    private Path project;

    @BeforeEach
    void createProject() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("train.py"), "print('training')\n");
        Files.writeString(project.resolve("score.py"), "def init(): pass\ndef run(raw): return raw\n");
        Files.writeString(project.resolve("requirements.txt"), "scikit-learn==1.5.2\n");
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("data/moons.csv"), "x,y\n1,2\n");
        Files.createDirectories(project.resolve("samples"));
        Files.writeString(project.resolve("samples/request.json"), "{\"data\": [[0.1, 0.2]]}\n");
        Files.writeString(project.resolve("samples/response.json"), "[1]\n");
        Files.writeString(tmp.resolve("x.py"), "print('outside')\n");
    }

    private PipelineSpec read(String yaml) throws IOException {
        return PipelineSpec.read(write(yaml), null);
    }

    private Path write(String yaml) throws IOException {
        Path file = project.resolve(PipelineSpec.FILE_NAME);
        Files.writeString(file, yaml);
        return file;
    }

    /** The message of the InvalidInput that reading {@code yaml} throws. */
    private String problemsOf(String yaml) throws IOException {
        Path file = write(yaml);
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class,
                () -> PipelineSpec.read(file, null));
        assertThat(e).as("reading the spec must fail with InvalidInput").isNotNull();
        return e.getMessage();
    }

    private static String train(String... lines) {
        return "name: svm-moons\ntrain:\n" + String.join("", Arrays.stream(lines).map(l -> "  " + l + "\n").toList());
    }

    private static final String FULL = """
            name: svm-moons
            registry: myacr.azurecr.io/team
            environment:
              base_image: 127.0.0.1:5000/powerai/python-ml:bookworm
              pip_requirements: requirements.txt
              apt_packages: [libgomp1, curl=7.88.1-10+deb12u8]
              env:
                OMP_NUM_THREADS: 1
                GREETING: hello
            train:
              script: train.py
              args: [--epochs, 3, --verbose, true]
              data: data
              gpus: all
              network: host
              timeout: 1h30m
              env:
                SEED: "42"
            score:
              entry_script: score.py
              model: model/model.pkl
              sample_request: samples/request.json
              expected_response: samples/response.json
            deploy:
              target: local
              port: 9000
              ready_timeout: 90s
            """;

    @Test
    void read_validFullSpec_parsesEverySection() throws IOException {
        PipelineSpec spec = read(FULL);

        assertThat(spec.name()).isEqualTo("svm-moons");
        assertThat(spec.registry()).isEqualTo("myacr.azurecr.io/team");
        assertThat(spec.projectDir()).isEqualTo(project.toAbsolutePath());

        EnvironmentSpec env = spec.environment();
        assertThat(env.baseImage()).isEqualTo(ImageReference.parse("127.0.0.1:5000/powerai/python-ml:bookworm"));
        assertThat(env.pipRequirements()).isEqualTo(project.resolve("requirements.txt"));
        assertThat(env.aptPackages()).containsExactly("libgomp1", "curl=7.88.1-10+deb12u8");
        assertThat(env.env()).containsExactly(Map.entry("GREETING", "hello"), Map.entry("OMP_NUM_THREADS", "1"));

        TrainSpec train = spec.train();
        assertThat(train.script()).isEqualTo("train.py");
        assertThat(train.args()).containsExactly("--epochs", "3", "--verbose", "true");
        assertThat(train.data()).isEqualTo(project.resolve("data"));
        assertThat(train.gpus()).isEqualTo("all");
        assertThat(train.wantsGpus()).isTrue();
        assertThat(train.network()).isEqualTo("host");
        assertThat(train.timeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(train.env()).containsExactly(Map.entry("SEED", "42"));

        ScoreSpec score = spec.score();
        assertThat(score.entryScript()).isEqualTo(project.resolve("score.py"));
        assertThat(score.model()).isEqualTo("model/model.pkl");
        assertThat(score.sampleRequest()).isEqualTo(project.resolve("samples/request.json"));
        assertThat(score.expectedResponse()).isEqualTo(project.resolve("samples/response.json"));

        DeploySpec deploy = spec.deploy();
        assertThat(deploy.target()).isEqualTo("local");
        assertThat(deploy.port()).isEqualTo(9000);
        assertThat(deploy.readyTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void read_minimalSpec_appliesDefaults() throws IOException {
        PipelineSpec spec = read(train("script: train.py"));

        assertThat(spec.registry()).isEqualTo(PipelineSpec.DEFAULT_REGISTRY);
        assertThat(spec.environment()).isNull();
        assertThat(spec.score()).isNull();
        assertThat(spec.deploy()).isNull();
        assertThat(spec.train().gpus()).isEqualTo("0");
        assertThat(spec.train().wantsGpus()).isFalse();
        assertThat(spec.train().network()).isEqualTo("none");
        assertThat(spec.train().timeout()).isEqualTo(TrainSpec.DEFAULT_TIMEOUT);
        assertThat(spec.train().args()).isEmpty();
        assertThat(spec.train().data()).isNull();
    }

    @Test
    void read_registryOverride_winsOverTheFile() throws IOException {
        Path file = write(FULL);

        assertThat(PipelineSpec.read(file, "localhost:5001").registry()).isEqualTo("localhost:5001");
    }

    @Test
    void read_missingFile_saysWhereItLooked() {
        Path missing = project.resolve("nope/powerai.yaml");

        assertThatThrownBy(() -> PipelineSpec.read(missing, null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("no pipeline file at " + missing);
    }

    @Test
    void read_unknownTopLevelKey_listsTheValidKeys() throws IOException {
        String message = problemsOf("name: svm-moons\ntrian:\n  script: train.py\n");

        assertThat(message).isEqualTo("powerai.yaml: unknown parameter 'trian'. "
                + "Valid parameters: deploy, environment, name, registry, score, train");
    }

    @Test
    void read_unknownStageKey_listsTheStagesValidKeys() throws IOException {
        String message = problemsOf(train("script: train.py", "gpu: 1"));

        assertThat(message).isEqualTo("gpuTrain: unknown parameter 'gpu'. Valid parameters: args, backend, cpu_cores, cuda, data, "
                + "data_claim, env, gpu_allow_shared, gpu_min_free_memory, gpu_policy, gpus, image_pull_secret, memory_gb, namespace, "
                + "network, node_selector, python, script, service_account, shm_size, start_timeout, timeout, tolerations, ulimits, workdir");
    }

    @Test
    void read_missingTrainingScript_namesStageFieldValueAndNotFound() throws IOException {
        String message = problemsOf(train("script: trian.py"));

        assertThat(message).startsWith("gpuTrain: ").contains("'script'").contains("'trian.py'").contains("not found");
        assertThat(message.lines()).hasSize(1);
    }

    @Test
    void read_scriptThatIsADirectory_isRejected() throws IOException {
        assertThat(problemsOf(train("script: data"))).startsWith("gpuTrain: 'script' must name a file");
    }

    @Test
    void read_missingRequiredScript_saysItIsRequired() throws IOException {
        assertThat(problemsOf(train("gpus: 1"))).isEqualTo("gpuTrain: 'script' is required");
    }

    @Test
    void read_invalidYaml_reportsLineAndColumn() throws IOException {
        String message = problemsOf("name: svm-moons\ntrain:\n  script: train.py\n  args: [a, b\n");

        assertThat(message).startsWith("powerai.yaml: invalid YAML in ").containsPattern("at line \\d+, column \\d+: ");
        assertThat(message.lines()).hasSize(1);
    }

    @Test
    void read_invalidYamlOnAKnownLine_reportsThatLine() throws IOException {
        String message = problemsOf("name: svm-moons\ntrain:\n  script: train.py\n   gpus: 1\n");

        assertThat(message).contains("at line 4, column ");
    }

    @Test
    void read_tabIndentation_namesTheFileLineColumnAndTheParsersReason() throws IOException {
        // A tab where YAML allows only spaces: SnakeYAML's first line is its context ("while scanning for the next
        // token"); the reason is on its problem line, and the position is the tab's, not the context's.
        String message = problemsOf("name: svm-moons\ntrain:\n  script: train.py\n\tgpus: 1\n");

        assertThat(message).startsWith("powerai.yaml: invalid YAML in ").contains(PipelineSpec.FILE_NAME)
                .contains("at line 4, column 1: ")
                .contains("found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)");
        assertThat(message.lines()).hasSize(1);
    }

    @Test
    void read_duplicateTopLevelKey_isRejected() throws IOException {
        String message = problemsOf("name: svm-moons\nname: other\n");

        assertThat(message).contains("invalid YAML").contains("at line 2, column").contains("Duplicate field 'name'");
    }

    @Test
    void read_duplicateStageKey_isRejected() throws IOException {
        String message = problemsOf(train("script: train.py", "gpus: 1", "gpus: 2"));

        assertThat(message).containsIgnoringCase("duplicate").contains("gpus").contains("line 5");
    }

    @Test
    void read_notAMap_isRejected() throws IOException {
        assertThat(problemsOf("- a\n- b\n")).contains("must hold a map of sections");
    }

    @Test
    void read_sectionThatIsNotAMap_isRejected() throws IOException {
        assertThat(problemsOf("name: svm-moons\ntrain: train.py\n"))
                .isEqualTo("powerai.yaml: 'train' must be a map of the stage's parameters; got 'train.py'");
    }

    @Test
    void read_invalidBaseImage_namesStageFieldAndBrokenPart() throws IOException {
        String message = problemsOf("name: svm-moons\nenvironment:\n  base_image: Python:3.11\n");

        assertThat(message).startsWith("amlEnvSnapshot: 'base_image' must be an image reference")
                .contains("repository component 'Python'")
                .endsWith("; got 'Python:3.11'");
    }

    @Test
    void read_missingBaseImage_isRequired() throws IOException {
        assertThat(problemsOf("name: svm-moons\nenvironment:\n  apt_packages: [curl]\n"))
                .isEqualTo("amlEnvSnapshot: 'base_image' is required");
    }

    @Test
    void read_badAptPackageAndEnvName_areRejected() throws IOException {
        String message = problemsOf("""
                name: svm-moons
                environment:
                  base_image: python:3.11
                  apt_packages: [curl, "Bad_Pkg"]
                  env:
                    1BAD: x
                """);

        assertThat(message.lines()).containsExactly(
                "amlEnvSnapshot: 'apt_packages' must hold Debian package names, optionally name=version; got 'Bad_Pkg'",
                "amlEnvSnapshot: 'env.1BAD' must be a variable name (letters, digits, '_', not starting with a digit); got '1BAD'");
    }

    @Test
    void read_environmentValueWithALineBreak_isRejected() throws IOException {
        // Rendered into the snapshot's Dockerfile, the line break would end the ENV instruction and start another.
        String message = problemsOf("""
                name: svm-moons
                environment:
                  base_image: python:3.11
                  env:
                    MSG: "a\\\"\\nRUN echo injected"
                """);

        assertThat(message).isEqualTo("amlEnvSnapshot: 'env.MSG' must be a single line (it becomes a Dockerfile ENV value); "
                + "got 'a\"\\nRUN echo injected'");
    }

    @Test
    void read_trainingEnvValueWithALineBreak_isRefused() throws IOException {
        // The training env reaches the engine through an env file (issue 14: values on its command line were visible
        // to every user), one variable a line.
        assertThat(problemsOf(train("script: train.py", "env: {MSG: \"a\\nb\"}")))
                .isEqualTo("gpuTrain: 'env.MSG' must be a single line (variables reach the container through an env file); got 'a\\nb'");
    }

    @Test
    void read_trainingEnvValueOver64KiB_isRefusedWithTheLimit() throws IOException {
        assertThat(problemsOf(train("script: train.py", "env: {BIG: " + "x".repeat(140 * 1024) + "}")))
                .startsWith("gpuTrain: 'env.BIG' must be at most 65536 characters (the kernel refuses a variable over 128 KiB)")
                .endsWith("got 'a value of 143360 characters'");
    }

    @Test
    void read_severalProblems_areAllReportedAtOnceOneLineEach() throws IOException {
        String message = problemsOf("""
                name: Bad_Name
                colour: blue
                environment:
                  base_image: Python:3.11
                train:
                  script: missing.py
                  gpus: many
                  network: bridge
                  timeout: soon
                deploy:
                  target: aci
                  port: 80
                """);

        List<String> lines = message.lines().toList();
        assertThat(lines).hasSize(9);
        assertThat(lines.get(0)).isEqualTo("powerai.yaml: unknown parameter 'colour'. "
                + "Valid parameters: deploy, environment, name, registry, score, train");
        assertThat(lines.get(1)).startsWith("powerai.yaml: 'name' must be 1-63 lowercase").endsWith("; got 'Bad_Name'");
        assertThat(lines.get(2)).startsWith("amlEnvSnapshot: 'base_image'");
        assertThat(lines.get(3)).startsWith("gpuTrain: 'script'").contains("not found");
        assertThat(lines.get(4)).startsWith("gpuTrain: 'gpus'").endsWith("got 'many'");
        assertThat(lines.get(5)).startsWith("gpuTrain: 'network'").endsWith("got 'bridge'");
        assertThat(lines.get(6)).startsWith("gpuTrain: 'timeout'").endsWith("got 'soon'");
        assertThat(lines.get(7)).startsWith("aksDeploy: 'target'").endsWith("got 'aci'");
        assertThat(lines.get(8)).isEqualTo("aksDeploy: 'port' must be a whole number from 1024 to 65535; got 80");
    }

    @Test
    void read_problemWithLineBreaksInTheValue_staysOneLine() throws IOException {
        // A value (or key) with a line break must not split one problem over several lines: faces and scripts
        // count problems by lines, and a forged line must not look like a problem of another stage.
        String message = problemsOf("""
                name: svm-moons
                train:
                  script: "missing.py\\namlEnvSnapshot: all good"
                  network: "bri\\r\\ndge"
                  "gp\\nus": 1
                """);

        List<String> lines = message.lines().toList();
        assertThat(lines).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("gpuTrain: "));
        assertThat(message.chars().filter(c -> c == '\r')).isEmpty();
        assertThat(lines).anySatisfy(line -> assertThat(line).endsWith("got 'missing.py\\namlEnvSnapshot: all good'"));
    }

    @Test
    void read_pathEscapingTheProject_isRejectedEvenWhenTheFileExists() throws IOException {
        assertThat(Files.exists(project.resolve("../x.py"))).isTrue();

        String message = problemsOf(train("script: ../x.py"));

        assertThat(message).startsWith("gpuTrain: 'script' must stay inside the project directory").endsWith("got '../x.py'");
    }

    @Test
    void read_pathEscapingThroughASubfolder_isRejected() throws IOException {
        assertThat(problemsOf(train("script: data/../../x.py"))).contains("must stay inside the project directory");
    }

    @Test
    void read_absolutePath_isRejected() throws IOException {
        String message = problemsOf(train("script: " + project.resolve("train.py").toAbsolutePath()));

        assertThat(message).contains("'script' must be a path relative to the project directory");
    }

    @Test
    void read_dataEscapingTheProject_isRejected() throws IOException {
        assertThat(problemsOf(train("script: train.py", "data: ..")))
                .startsWith("gpuTrain: 'data' must stay inside the project directory");
    }

    @Test
    void read_scriptInASubfolder_isKeptRelativeWithSlashes() throws IOException {
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/train.py"), "print(1)\n");

        assertThat(read(train("script: ./src/../src/train.py")).train().script()).isEqualTo("src/train.py");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "2", "all", "\"all\"", "\"3\""})
    void read_gpus_acceptsCountsAndAll(String value) throws IOException {
        String gpus = read(train("script: train.py", "gpus: " + value)).train().gpus();

        assertThat(gpus).isEqualTo(value.replace("\"", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"many", "-1", "1.5", "true", "\"\"", "1000", "[1.5]", "\"0,0\"", "\"device=\""})
    void read_gpus_rejectsAnythingElse(String value) throws IOException {
        String message = problemsOf(train("script: train.py", "gpus: " + value));

        assertThat(message).startsWith("gpuTrain: 'gpus' must be a count of GPUs (0 for none) or 'all', or the devices to use: ")
                .contains("; got ");
    }

    @Test
    void read_gpusZero_wantsNoGpus() throws IOException {
        assertThat(read(train("script: train.py", "gpus: 0")).train().wantsGpus()).isFalse();
        assertThat(read(train("script: train.py", "gpus: 2")).train().wantsGpus()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "host"})
    void read_network_acceptsNoneAndHost(String value) throws IOException {
        assertThat(read(train("script: train.py", "network: " + value)).train().network()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge", "default", "container:other", "None"})
    void read_network_rejectsAnythingElse(String value) throws IOException {
        assertThat(problemsOf(train("script: train.py", "network: " + value)))
                .startsWith("gpuTrain: 'network' must be 'none'").endsWith("got '" + value + "'");
    }

    @Test
    void read_timeout_parsesSecondsAndHoursMinutes() throws IOException {
        assertThat(read(train("script: train.py", "timeout: 90s")).train().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(read(train("script: train.py", "timeout: 1h30m")).train().timeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(read(train("script: train.py", "timeout: 600")).train().timeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "0s", "-5", "1.5h", "\"\""})
    void read_timeout_rejectsNonDurations(String value) throws IOException {
        assertThat(problemsOf(train("script: train.py", "timeout: " + value)))
                .startsWith("gpuTrain: 'timeout' must be a positive duration such as 90s, 30m, 2h or 1h30m; got ");
    }

    @Test
    void read_timeoutTooLarge_isReportedAsAProblemWithTheOthers() throws IOException {
        String message = problemsOf(train("script: train.py", "timeout: 9999999999999999h", "network: bridge"));

        assertThat(message.lines()).hasSize(2);
        assertThat(message).contains("gpuTrain: 'timeout' must be a positive duration").contains("gpuTrain: 'network'");
    }

    @Test
    void read_deployTargetOtherThanLocalOrAks_isRejected() throws IOException {
        assertThat(problemsOf("name: svm-moons\ndeploy:\n  target: aci\n"))
                .isEqualTo("aksDeploy: 'target' must be 'local' or 'aks'; got 'aci'");
        assertThat(read("name: svm-moons\ndeploy:\n  target: aks\n").deploy().target()).isEqualTo("aks");
    }

    @Test
    void read_deployProvenancePolicy_keysResolvedInTheProject_badValuesAllReported() throws IOException {
        Files.writeString(project.resolve("release.pub.pem"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        DeploySpec deploy = read("name: svm-moons\ndeploy:\n  require_provenance: true\n  allowed_keys: [release.pub.pem]\n").deploy();
        assertThat(deploy.provenance().required()).isTrue();
        assertThat(deploy.provenance().allowedKeys()).containsExactly(project.resolve("release.pub.pem"));
        assertThat(read("name: svm-moons\ndeploy:\n  port: 8000\n").deploy().provenance()).isEqualTo(ProvenanceRequirement.NONE);
        String message = problemsOf("name: svm-moons\ndeploy:\n  require_provenance: maybe\n  allowed_keys: [missing.pem]\n");
        assertThat(message.lines()).hasSize(2);
        assertThat(message).contains("aksDeploy: 'require_provenance'").contains("aksDeploy: 'allowed_keys' must name PEM public key files");
    }

    @Test
    void read_deployWithoutTarget_defaultsToLocal() throws IOException {
        DeploySpec deploy = read("name: svm-moons\ndeploy:\n  port: 8000\n").deploy();

        assertThat(deploy.target()).isEqualTo("local");
        assertThat(deploy.readyTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void read_expectedResponseWithoutSampleRequest_isRejected() throws IOException {
        assertThat(problemsOf("name: svm-moons\nscore:\n  entry_script: score.py\n  model: m.pkl\n"
                + "  expected_response: samples/response.json\n"))
                .startsWith("scoringImage: 'expected_response' needs 'sample_request' too");
    }

    @Test
    void read_modelEscapingTheOutputs_isRejected() throws IOException {
        assertThat(problemsOf("name: svm-moons\nscore:\n  entry_script: score.py\n  model: ../secret\n"))
                .startsWith("scoringImage: 'model' must be a path inside the training outputs");
    }

    @Test
    void require_missingSection_saysWhichStageNeedsWhichSection() throws IOException {
        PipelineSpec spec = read(train("script: train.py"));

        assertThatThrownBy(() -> spec.require(Stage.SNAPSHOT))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("amlEnvSnapshot: section 'environment' is missing from " + project.toAbsolutePath().resolve("powerai.yaml")
                        + " (the stage needs it)");
        assertThatThrownBy(() -> spec.require(Stage.DEPLOY)).hasMessageStartingWith("aksDeploy: section 'deploy' is missing");
    }

    @Test
    void require_presentSection_passes() throws IOException {
        PipelineSpec spec = read(train("script: train.py"));

        spec.require(Stage.TRAIN);
        assertThat(spec.train()).isNotNull();
    }

    @Test
    void invalidInput_hasExitCode2() throws IOException {
        Path file = write(train("script: missing.py"));
        PowerAiException e = catchThrowableOfType(PowerAiException.class, () -> PipelineSpec.read(file, null));

        assertThat(e).isInstanceOf(PowerAiException.InvalidInput.class);
        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(new PowerAiException.StageFailed("x").exitCode()).isEqualTo(1);
        assertThat(new PowerAiException.InfrastructureUnavailable("x").exitCode()).isEqualTo(3);
    }

    @Test
    void forStep_flatParameters_parseIntoTheStagesSection() {
        Map<String, Object> params = Map.of("name", "svm-moons", "script", "train.py", "gpus", 2,
                "image", "127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32));

        StepSpec step = PipelineSpec.forStep(Stage.TRAIN, params, project, null);

        assertThat(step.image()).isEqualTo("127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32));
        assertThat(step.pipeline().train().gpus()).isEqualTo("2");
        assertThat(step.pipeline().environment()).isNull();
    }

    @Test
    void forStep_unknownParameter_listsTheStepsParameters() {
        Map<String, Object> params = Map.of("name", "svm-moons", "script", "train.py", "gpu", 2);

        assertThatThrownBy(() -> PipelineSpec.forStep(Stage.TRAIN, params, project, null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("gpuTrain: unknown parameter 'gpu'. "
                        + "Valid parameters: args, backend, cpu_cores, cuda, data, data_claim, env, gpu_allow_shared, gpu_min_free_memory, "
                        + "gpu_policy, gpus, image, image_pull_secret, memory_gb, name, namespace, network, node_selector, python, registry, "
                        + "script, service_account, shm_size, start_timeout, timeout, tolerations, ulimits, workdir");
    }

    @Test
    void forStep_badImage_isRejectedNamingTheParameter() {
        Map<String, Object> params = Map.of("name", "svm-moons", "script", "train.py", "image", "Not An Image");

        assertThatThrownBy(() -> PipelineSpec.forStep(Stage.TRAIN, params, project, null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageStartingWith("gpuTrain: 'image' must be an image reference");
    }
}
