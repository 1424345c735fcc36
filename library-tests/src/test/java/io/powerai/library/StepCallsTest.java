package io.powerai.library;

import groovy.json.JsonSlurper;
import org.junit.Test;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * How a step call meets the project: powerai.yaml by default (pipelineFile for another), the arguments over it,
 * camelCase names with the old snake_case ones deprecated; and what Jenkins itself asks of a call: the CLI's
 * message inside the credentials' masking, stash names Jenkins accepts.
 */
public class StepCallsTest extends LibraryPipelineTest {

    private Map<?, ?> json(String relative) throws Exception {
        return (Map<?, ?>) new JsonSlurper().parseText(Files.readString(workspace.resolve(relative)));
    }

    @Test
    public void stepsWithNoArguments_runTheProjectAsPowerAiRunWould() throws Exception {
        copyTree(workspace.resolve("examples/svm-moons"), workspace);

        List<?> results = (List<?>) runScript("noArguments.jenkins");

        assertEquals(List.of("snapshot", "train", "scoring-image", "deploy"), cliCommands());
        for (Object result : results) {
            assertEquals("succeeded", ((Map<?, ?>) result).get("status"));
        }
        for (String step : STEPS) {
            assertEquals(step + ": nothing repeated from the file", Map.of(), json(".powerai/specs/" + step + ".json"));
        }
        Map<?, ?> trained = (Map<?, ?>) results.get(1);
        assertEquals("powerai.yaml's train section", "train.py", trained.get("script"));
        assertEquals(List.of("--C", "1.0", "--gamma", "2.0"), trained.get("args"));
        assertEquals("the image the snapshot pinned", ((Map<?, ?>) results.get(0)).get("image"), trained.get("image"));
        assertEquals("http://127.0.0.1:8890/score", ((Map<?, ?>) results.get(3)).get("scoringUrl"));
        assertTrue(errors.isEmpty());
    }

    @Test
    public void pipelineFile_choosesAnotherFile_andArgumentsStillOverrideSingleKeys() throws Exception {
        Files.createDirectories(workspace.resolve("ci"));
        Files.writeString(workspace.resolve("ci/nightly.yaml"), "name: svm-moons-nightly\ntrain:\n  script: train.py\n"
                + "  args: ['--C', '5.0']\n  gpus: 2\n");
        Map<String, Object> args = new LinkedHashMap<>(Map.of("projectDir", "examples/svm-moons", "pipelineFile", "ci/nightly.yaml",
                "image", StepsTest.ENV_IMAGE, "gpus", 1));

        Map<?, ?> result = (Map<?, ?>) runStep("gpuTrain", args);

        assertEquals(List.of("--C", "5.0"), result.get("args"));
        assertEquals("the argument over the file", "1", result.get("gpus"));
        assertEquals("ci/nightly.yaml", shCalls.get(0).environment().get("POWERAI_PIPELINE_FILE"));
        assertTrue(shCalls.get(0).script(), shCalls.get(0).script().contains(" --file \"$POWERAI_PIPELINE_FILE\" "));
        assertFalse("a step-only parameter", json(".powerai/specs/gpuTrain.json").containsKey("pipelineFile"));
    }

    @Test
    public void aPipelineFileThatDoesNotExist_endsTheBuildWithTheCliMessage() throws Exception {
        PipelineError error = runFailingStep("gpuTrain", new LinkedHashMap<>(Map.of("projectDir", "examples/svm-moons",
                "pipelineFile", "ci/missing.yaml")));

        assertTrue(error.getMessage(), error.getMessage().startsWith("gpuTrain: no pipeline file at "));
    }

    @Test
    public void snakeCaseArguments_stillWork_withADeprecationLineInTheBuildLog() throws Exception {
        Map<String, Object> args = new LinkedHashMap<>(Map.of("projectDir", "examples/svm-moons",
                "base_image", "127.0.0.1:5000/powerai/python-ml:2", "apt_packages", List.of("curl")));

        Map<?, ?> result = (Map<?, ?>) runStep("amlEnvSnapshot", args);

        assertEquals("succeeded", result.get("status"));
        assertEquals("127.0.0.1:5000/powerai/python-ml:2", result.get("baseImage"));
        assertTrue(echoes.toString(), echoes.get(0).contains("[amlEnvSnapshot] WARNING: parameter 'apt_packages' is deprecated: use 'aptPackages'"));
        assertTrue(echoes.toString(), echoes.get(0).contains("[amlEnvSnapshot] WARNING: parameter 'base_image' is deprecated: use 'baseImage'"));
    }

    @Test
    public void oneParameterUnderBothNames_isInvalidInput() throws Exception {
        PipelineError error = runFailingStep("scoringImage", new LinkedHashMap<>(Map.of("projectDir", "examples/svm-moons",
                "entryScript", "score.py", "entry_script", "score.py")));

        assertEquals("scoringImage: 'entryScript' and 'entry_script' are the same parameter; give it once, as 'entryScript'",
                error.getMessage());
    }

    @Test
    public void theCliMessage_isPrintedAndRaisedWhileTheCredentialsAreBound() throws Exception {
        cli.scenario("aksDeploy", FakeCli.Scenario.STAGE_FAILS);

        runFailingStep("aksDeploy", StepsTest.validArgs("aksDeploy"));

        assertEquals("error() inside withCredentials, where Jenkins masks the bound values", List.of(true), errorsMasked);
    }

    @Test
    public void theSummaryAndWarnings_arePrintedWhileTheCredentialsAreBound() throws Exception {
        Map<String, Object> args = StepsTest.validArgs("amlEnvSnapshot");
        args.put("apt_packages", List.of("curl"));

        runStep("amlEnvSnapshot", args);

        assertEquals(2, echoes.size());
        assertEquals(List.of(true, true), echoesMasked);
    }

    @Test
    public void stashNames_ofAMultibranchBranch_areNamesJenkinsAccepts() throws Exception {
        // Branch feature/x of a multibranch job: the job is feature%2Fx, and BUILD_TAG carries the '%'.
        env.put("BUILD_TAG", "jenkins-powerai-feature%2Fx-7");
        Map<String, Object> args = StepsTest.validArgs("gpuTrain");
        args.put("kubernetesAgent", true);

        Map<?, ?> result = (Map<?, ?>) runStep("gpuTrain", args);

        assertEquals("succeeded", result.get("status"));
        assertEquals(2, stashes.size());
        for (String stash : stashes) {
            String name = stash.split(" ")[0];
            assertTrue(name, name.matches("powerai-gpuTrain-jenkins-powerai-feature_2Fx-7-[0-9a-f]{8}-(workspace|results)"));
        }
    }
}
