package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The naming rule between step parameters and file keys, and a step call read over the pipeline file. */
class StepParametersTest {
    @TempDir
    Path project;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.writeString(project.resolve("other.py"), "print(2)\n");
        Files.createDirectories(project.resolve("data"));
    }

    @Test
    void everyKeyOfEveryStep_mapsOneToOne_toACamelCaseName() {
        for (Stage stage : Stage.values()) {
            Set<String> names = new HashSet<>();
            for (String key : PipelineSpec.stepParameters(stage)) {
                String name = StepParameters.stepName(key);
                assertThat(name).as(stage + " " + key).matches("[a-z][a-zA-Z0-9]*");
                assertThat(StepParameters.fileKey(name)).as(stage + " " + key).isEqualTo(key);
                assertThat(names.add(name)).as(stage + ": two keys named " + name).isTrue();
            }
            assertThat(StepParameters.stepNames(stage)).hasSameSizeAs(PipelineSpec.stepParameters(stage));
        }
        assertThat(StepParameters.stepName("gpu_min_free_memory")).isEqualTo("gpuMinFreeMemory");
        assertThat(StepParameters.fileKey("baseImage")).isEqualTo("base_image");
    }

    @Test
    void camelCaseNames_becomeFileKeys_andUserNamedKeysInValuesStayAsGiven() {
        Problems problems = new Problems();
        Map<String, Object> env = Map.of("OMP_NUM_THREADS", "1", "myVar", "x");
        Map<String, Object> selector = Map.of("kubernetes.azure.com/agentpool", "gpunp", "node_type", "a100");

        StepParameters.Mapped mapped = StepParameters.toFileKeys(Stage.TRAIN, Map.of("gpuPolicy", "prefer", "env", env,
                "nodeSelector", selector, "script", "train.py"), problems);

        assertThat(problems.isEmpty()).as(problems.lines().toString()).isTrue();
        assertThat(mapped.fileKeys()).isEqualTo(Map.of("gpu_policy", "prefer", "env", env, "node_selector", selector,
                "script", "train.py"));
        assertThat(mapped.deprecations()).isEmpty();
    }

    @Test
    void snakeCaseNames_stillWork_withADeprecationNamingTheNewName() {
        Problems problems = new Problems();

        StepParameters.Mapped mapped = StepParameters.toFileKeys(Stage.SNAPSHOT, Map.of("base_image", "debian:12",
                "apt_packages", List.of("curl")), problems);

        assertThat(problems.isEmpty()).isTrue();
        assertThat(mapped.fileKeys()).isEqualTo(Map.of("base_image", "debian:12", "apt_packages", List.of("curl")));
        assertThat(mapped.deprecations()).containsExactly(
                "parameter 'apt_packages' is deprecated: use 'aptPackages' (the same value; 'apt_packages' stays the key in the pipeline file)",
                "parameter 'base_image' is deprecated: use 'baseImage' (the same value; 'base_image' stays the key in the pipeline file)");
    }

    @Test
    void theGatesFields_followTheSameRule_oneLevelDown() {
        Problems problems = new Problems();

        StepParameters.Mapped mapped = StepParameters.toFileKeys(Stage.DEPLOY, Map.of("gate",
                Map.of("metric", "test_accuracy", "minDelta", 0.01, "when_unknown", "promote")), problems);

        assertThat(problems.isEmpty()).as(problems.lines().toString()).isTrue();
        assertThat(mapped.fileKeys()).isEqualTo(Map.of("gate", Map.of("metric", "test_accuracy", "min_delta", 0.01, "when_unknown", "promote")));
        assertThat(mapped.deprecations()).containsExactly("field 'gate.when_unknown' is deprecated: use 'gate.whenUnknown' "
                + "(the same value; 'when_unknown' stays the key in the pipeline file)");

        StepParameters.toFileKeys(Stage.DEPLOY, Map.of("gate", Map.of("minDelta", 0.1, "min_delta", 0.2)), problems);
        assertThat(problems.lines()).containsExactly("aksDeploy: 'gate.minDelta' and 'gate.min_delta' are the same field; give it once, as 'gate.minDelta'");
    }

    @Test
    void unknownNames_andOneParameterUnderBothNames_areProblems_listingTheCamelCaseNames() {
        Problems problems = new Problems();

        StepParameters.toFileKeys(Stage.SCORING_IMAGE, Map.of("entryScript", "score.py", "entry_script", "x.py",
                "modle", "m.pkl", "Model", "m.pkl"), problems);

        assertThat(problems.lines()).containsExactly(
                "scoringImage: unknown parameter 'Model'. Valid parameters: " + String.join(", ", StepParameters.stepNames(Stage.SCORING_IMAGE)),
                "scoringImage: 'entryScript' and 'entry_script' are the same parameter; give it once, as 'entryScript'",
                "scoringImage: unknown parameter 'modle'. Valid parameters: " + String.join(", ", StepParameters.stepNames(Stage.SCORING_IMAGE)));
        assertThat(String.join(", ", StepParameters.stepNames(Stage.SCORING_IMAGE))).contains("entryScript, expectedResponse");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(project.resolve(name), text);
    }

    @Test
    void stepCall_readsTheStepsSection_andItsParametersOverrideSingleKeys() throws IOException {
        Path file = write("powerai.yaml", """
                name: demo
                registry: 127.0.0.1:5000/team
                environment:
                  base_image: debian:12
                train:
                  script: train.py
                  data: data
                  timeout: 10m
                  gpu_policy: prefer
                """);
        Path params = write("spec.json", "{\"script\": \"other.py\", \"gpuPolicy\": \"none\"}");

        PipelineSpec.StepCall call = PipelineSpec.readStepCall(Stage.TRAIN, params, file, null, project, null);

        TrainSpec train = call.spec().pipeline().train();
        assertThat(call.spec().pipeline().name()).isEqualTo("demo");
        assertThat(call.spec().pipeline().registry()).isEqualTo("127.0.0.1:5000/team");
        assertThat(train.script()).isEqualTo("other.py");
        assertThat(train.gpuPolicy().name()).isEqualToIgnoringCase("none");
        assertThat(train.timeout()).hasMinutes(10);
        assertThat(train.data()).isNotNull();
        assertThat(call.spec().pipeline().environment()).as("only the step's section").isNull();
        assertThat(call.deprecations()).isEmpty();
    }

    @Test
    void stepCall_defaultsAreUnderTheFile_andKeysOfOtherStepsAreIgnored() throws IOException {
        Path defaults = write("defaults.json", "{\"registry\": \"default.example:5000\", \"baseImage\": \"debian:12\", "
                + "\"registryCredentialsId\": \"push\", \"engine\": \"\"}");
        Path params = write("spec.json", "{\"name\": \"demo\", \"script\": \"train.py\"}");

        PipelineSpec.StepCall noFile = PipelineSpec.readStepCall(Stage.TRAIN, params, null, defaults, project, null);
        assertThat(noFile.spec().pipeline().registry()).isEqualTo("default.example:5000");

        Path file = write("powerai.yaml", "name: demo\nregistry: file.example:5000\n");
        PipelineSpec.StepCall withFile = PipelineSpec.readStepCall(Stage.TRAIN, params, file, defaults, project, null);
        assertThat(withFile.spec().pipeline().registry()).isEqualTo("file.example:5000");

        Path snapshot = write("snapshot.json", "{\"name\": \"demo\"}");
        assertThat(PipelineSpec.readStepCall(Stage.SNAPSHOT, snapshot, null, defaults, project, null).spec().pipeline()
                .environment().baseImage().toString()).isEqualTo("docker.io/library/debian:12");
    }

    @Test
    void stepCall_reportsProblemsOfTheFileAndOfTheParametersAtOnce() throws IOException {
        Path file = write("powerai.yaml", "name: demo\nteam: x\ntrain:\n  scirpt: train.py\n");
        Path params = write("spec.json", "{\"script\": \"train.py\", \"gpu\": 1, \"timeout\": \"soon\"}");

        assertThatThrownBy(() -> PipelineSpec.readStepCall(Stage.TRAIN, params, file, null, project, null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(4)
                        .anySatisfy(l -> assertThat(l).startsWith("powerai.yaml: unknown parameter 'team'"))
                        .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: unknown parameter 'scirpt'. Valid parameters: args,"))
                        .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: unknown parameter 'gpu'. Valid parameters: args, backend, cpuCores"))
                        .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: 'timeout'")));
    }

    @Test
    void stepCall_aMissingPipelineFileThatWasNamed_isInvalidInput() throws IOException {
        Path params = write("spec.json", "{}");

        assertThatThrownBy(() -> PipelineSpec.readStepCall(Stage.TRAIN, params, project.resolve("ci/powerai.yaml"), null, project, null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageStartingWith("gpuTrain: no pipeline file at " + project.resolve("ci/powerai.yaml"));
    }
}
