package io.powerai.library;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The steps as Jenkins runs them: CPS-transformed, the program's state serialized at every step (what lets a
 * build survive a controller restart). A step that kept something unserializable across a step call fails here.
 */
public class CpsModeTest extends LibraryPipelineTest {

    @Override
    protected boolean cps() {
        return true;
    }

    @Test
    public void jenkinsfileExample_runsItsFourStages_underCps() throws Exception {
        runScript("Jenkinsfile.example");

        assertEquals("the gate alone, then the deploy", List.of("snapshot", "train", "scoring-image", "deploy", "deploy"), cliCommands());
        for (String step : STEPS) {
            assertTrue(step, echoes.stream().anyMatch(e -> e.startsWith("[" + step + "] succeeded: ")));
        }
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void withoutThePlugin_theDescriptorsFromTheCli_surviveSerialization_underCps() throws Exception {
        env.put("POWERAI_CLI", "/bin/sh " + fakeCli);
        plugin = null;
        java.util.Map<String, Object> args = StepsTest.validArgs("gpuTrain");
        args.put("signingCredentialsId", "signing-key");

        runStep("gpuTrain", args);

        assertEquals(List.of("stages", "train"), cliCommands());
        assertTrue(echoes.get(0), echoes.get(0).startsWith("[gpuTrain] succeeded: metrics "));
        assertTrue(boundCredentials.toString(), boundCredentials.stream().anyMatch(b -> "POWERAI_SIGNING_KEY".equals(b.get("variable"))));
    }

    @Test
    public void failingStage_archivesThenEndsTheBuild_underCps() throws Exception {
        cli.scenario("gpuTrain", FakeCli.Scenario.STAGE_FAILS);

        PipelineError error = runFailingStep("gpuTrain", StepsTest.validArgs("gpuTrain"));

        assertTrue(error.getMessage(), error.getMessage().startsWith("gpuTrain: the training script exited with status 1"));
        assertTrue(archives.get(0).files().contains(".powerai/train/train.log"));
    }
}
