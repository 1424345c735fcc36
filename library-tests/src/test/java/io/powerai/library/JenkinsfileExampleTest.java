package io.powerai.library;

import com.lesfurets.jenkins.unit.MethodCall;
import groovy.json.JsonSlurper;
import org.junit.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Jenkinsfile.example, the file itself, run through its four stages with the library loaded by @Library (here
 * without the CPS transformation, for speed; {@link CpsModeTest} runs it CPS-transformed too).
 */
public class JenkinsfileExampleTest extends LibraryPipelineTest {

    private Map<?, ?> spec(String step) throws Exception {
        return (Map<?, ?>) new JsonSlurper().parseText(Files.readString(workspace.resolve(".powerai/specs/" + step + ".json")));
    }

    private Map<?, ?> result(String step) throws Exception {
        return (Map<?, ?>) new JsonSlurper().parseText(Files.readString(workspace.resolve(".powerai/" + step + ".json")));
    }

    private long auditArchives() {
        return archives.stream().filter(a -> a.artifacts().equals(".powerai/audit.jsonl*")).count();
    }

    @Test
    public void firstBuild_withoutParameters_runsTheFourStagesInOrder_fromThePipelineFile() throws Exception {
        runScript("Jenkinsfile.example");

        assertEquals(List.of("Checkout", "EO: environment", "e13n: training", "SS: scoring image", "o16n: deployment"), stages);
        assertEquals("the gate alone, then the deploy", List.of("snapshot", "train", "scoring-image", "deploy", "deploy"), cliCommands());
        assertEquals("training on the GPU label, the rest on any agent", List.of("gpu", ""), nodeLabels);
        shCalls.forEach(c -> assertEquals("examples/svm-moons", c.environment().get("POWERAI_PROJECT")));

        assertEquals("the steps repeat nothing of powerai.yaml", Map.of(), spec("amlEnvSnapshot"));
        assertEquals(Map.of(), spec("gpuTrain"));
        assertEquals("the deploy, through the gate", "{gate={metric=test_accuracy, minDelta=0.01}, target=local}",
                String.valueOf(new java.util.TreeMap<>(spec("aksDeploy"))).replace("{minDelta=0.01, metric=test_accuracy}",
                        "{metric=test_accuracy, minDelta=0.01}"));
        assertEquals("the environment pinned by digest feeds the training", result("amlEnvSnapshot").get("image"), result("gpuTrain").get("image"));
        assertEquals(result("scoringImage").get("image"), result("aksDeploy").get("image"));
        assertEquals("powerai.yaml's port", "http://127.0.0.1:8890/score", result("aksDeploy").get("scoringUrl"));
        assertEquals("http://127.0.0.1:8890/score",
                String.valueOf(((Map<?, ?>) getBinding().getVariable("currentBuild")).get("description")));
        assertEquals("the audit trail is archived on both agents", 2, auditArchives());
        assertEquals("and shown on the build's ML lineage page", 2, getHelper().methodCallCount("poweraiRecordLineage"));
        assertTrue(errors.isEmpty());
    }

    @Test
    public void jobProperties_scheduleRetrainingAndDeclareTheParameters() throws Exception {
        runScript("Jenkinsfile.example");

        MethodCall cron = getHelper().getCallStack().stream().filter(c -> c.getMethodName().equals("cron")).findFirst().orElseThrow();
        assertEquals("H 2 * * 1", cron.getArgs()[0]);
        List<String> parameterNames = new ArrayList<>();
        getHelper().getCallStack().stream()
                .filter(c -> c.getMethodName().equals("string") || c.getMethodName().equals("choice"))
                .forEach(c -> parameterNames.add(String.valueOf(((Map<?, ?>) c.getArgs()[0]).get("name"))));
        assertEquals(List.of("PROJECT_DIR", "GPUS", "DEPLOY_TARGET"), parameterNames);
        assertEquals(1, getHelper().methodCallCount("pipelineTriggers"));
    }

    @Test
    public void parameters_overrideSingleKeysOfThePipelineFile() throws Exception {
        params.putAll(Map.of("GPUS", "2", "DEPLOY_TARGET", "aks"));

        runScript("Jenkinsfile.example");

        assertEquals(List.of("gpu", ""), nodeLabels);
        assertEquals(Map.of("gpus", "2"), spec("gpuTrain"));
        assertEquals("2", result("gpuTrain").get("gpus"));
        assertEquals("aks", result("aksDeploy").get("target"));
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void scheduledRetraining_toAks_promotesThroughTheGateAlone_withoutAskingAPerson() throws Exception {
        params.putAll(Map.of("DEPLOY_TARGET", "aks"));
        timerCauses.add(Map.of("_class", "hudson.triggers.TimerTrigger$TimerTriggerCause"));

        runScript("Jenkinsfile.example");

        assertEquals(List.of("snapshot", "train", "scoring-image", "deploy", "deploy"), cliCommands());
        assertEquals(List.of(), inputs);
        assertEquals("{metric=test_accuracy, minDelta=0.01}", String.valueOf(new java.util.TreeMap<>((Map<?, ?>) spec("aksDeploy").get("gate"))));
        assertTrue(errors.isEmpty());
    }

    @Test
    public void gateKeepsTheServingModel_theBuildDeploysNothing_andSaysWhy() throws Exception {
        cli.scenario("aksDeploy", FakeCli.Scenario.STAGE_FAILS);

        runScript("Jenkinsfile.example");

        assertEquals("the gate alone, no deploy", List.of("snapshot", "train", "scoring-image", "deploy"), cliCommands());
        assertTrue(errors.isEmpty());
        String description = String.valueOf(((Map<?, ?>) getBinding().getVariable("currentBuild")).get("description"));
        assertTrue(description, description.startsWith("kept the serving model (aksDeploy: gate test_accuracy"));
    }

    @Test
    public void failedTraining_keepsTheAuditTrail_andStopsBeforeScoring() throws Exception {
        cli.scenario("gpuTrain", FakeCli.Scenario.STAGE_FAILS);

        try {
            runScript("Jenkinsfile.example");
            throw new AssertionError("the build did not fail");
        } catch (PipelineError e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("gpuTrain: the training script exited with status 1"));
        }

        assertEquals(List.of("snapshot", "train"), cliCommands());
        assertEquals(0, getHelper().methodCallCount("stash"));
        assertEquals(List.of("gpu"), nodeLabels);
        assertEquals(1, auditArchives());
        assertEquals(1, getHelper().methodCallCount("poweraiRecordLineage"));
        ArchiveCall last = archives.get(archives.size() - 1);
        assertEquals(".powerai/audit.jsonl*", last.artifacts());
        assertTrue("the failed run's record is in the archived log", last.files().contains(".powerai/audit.jsonl"));
        assertTrue(Files.readString(workspace.resolve(".powerai/audit.jsonl")).contains("\"status\":\"failed\""));
    }

    @Test
    public void lineageThatDoesNotVerify_afterAFailedTraining_isReported_andTheTrainingsFailureStaysTheBuilds() throws Exception {
        cli.scenario("gpuTrain", FakeCli.Scenario.STAGE_FAILS);
        lineageVerifies = false;

        try {
            runScript("Jenkinsfile.example");
            throw new AssertionError("the build did not fail");
        } catch (PipelineError e) {
            assertTrue("the first failure, not the lineage's: " + e.getMessage(),
                    e.getMessage().startsWith("gpuTrain: the training script exited with status 1"));
        }
        assertTrue(echoes.toString(), echoes.stream().anyMatch(l -> l.startsWith("poweraiRecordLineage also failed: poweraiRecordLineage: "
                + "the hash chain of .powerai/audit.jsonl does not verify")));
    }

    @Test
    public void lineageThatDoesNotVerify_afterASuccessfulBuild_failsIt() throws Exception {
        lineageVerifies = false;

        try {
            runScript("Jenkinsfile.example");
            throw new AssertionError("the build did not fail");
        } catch (PipelineError e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("poweraiRecordLineage: the hash chain"));
        }
        assertEquals("it stopped on the first agent", List.of("snapshot", "train"), cliCommands());
    }
}
