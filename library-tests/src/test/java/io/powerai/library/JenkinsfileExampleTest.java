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
    public void firstBuild_withoutParameters_runsTheFourStagesInOrder() throws Exception {
        runScript("Jenkinsfile.example");

        assertEquals(List.of("Checkout", "EO: environment", "e13n: training", "SS: scoring image", "o16n: deployment"), stages);
        assertEquals("the gate alone, then the deploy", List.of("snapshot", "train", "scoring-image", "deploy", "deploy"), cliCommands());
        assertEquals("training on the GPU label, the rest on any agent", List.of("gpu", ""), nodeLabels);
        shCalls.forEach(c -> assertEquals("examples/svm-moons", c.environment().get("POWERAI_PROJECT")));

        assertEquals("the environment pinned by digest feeds the training", result("amlEnvSnapshot").get("image"), spec("gpuTrain").get("image"));
        assertEquals(result("scoringImage").get("image"), spec("aksDeploy").get("image"));
        assertEquals("local", spec("aksDeploy").get("target"));
        assertEquals(8890, spec("aksDeploy").get("port"));
        assertEquals("0", spec("gpuTrain").get("gpus"));
        assertEquals("127.0.0.1:5000/powerai/python-ml:bookworm", spec("amlEnvSnapshot").get("base_image"));
        assertEquals("svm-moons: http://127.0.0.1:8890/score",
                String.valueOf(((Map<?, ?>) getBinding().getVariable("currentBuild")).get("description")));
        assertEquals("the audit trail is archived on both agents", 2, auditArchives());
        assertEquals("and shown on the build's ML lineage page", 2, getHelper().methodCallCount("poweraiRecordLineage"));
        assertTrue(errors.isEmpty());
    }

    @Test
    public void trainOnKubernetes_trainsInAPodOfTheNamedCloud_fromAnyAgent() throws Exception {
        params.putAll(Map.of("TRAIN_ON", "kubernetes", "KUBERNETES_CLOUD", "aks-gpu", "GPUS", "1"));

        runScript("Jenkinsfile.example");

        assertEquals(List.of("snapshot", "pod-template", "train", "?", "train", "scoring-image", "deploy", "deploy"), cliCommands());
        assertEquals("the pipeline's agents, then the pod's label", List.of("", "powerai-pod-1", ""), nodeLabels);
        assertEquals(1, podTemplates.size());
        assertEquals("aks-gpu", podTemplates.get(0).get("cloud"));
        assertEquals("1", spec("gpuTrain").get("gpus"));
        assertFalse(spec("gpuTrain").containsKey("kubernetesAgent"));
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
        assertTrue(parameterNames.toString(), parameterNames.containsAll(List.of("PROJECT_DIR", "MODEL_NAME", "GPU_LABEL",
                "GPUS", "DEPLOY_TARGET", "REGISTRY_CREDENTIALS_ID")));
        assertEquals(1, getHelper().methodCallCount("pipelineTriggers"));
    }

    @Test
    public void parameters_chooseAgentsGpusRegistryAndAks() throws Exception {
        params.putAll(Map.of("GPU_LABEL", "cuda-a100", "GPUS", "2", "DEPLOY_TARGET", "aks", "AKS_NAMESPACE", "ml-prod",
                "DEPLOY_LABEL", "docker", "REGISTRY", "127.0.0.1:5000/team", "REGISTRY_CREDENTIALS_ID", "registry-push",
                "KUBECONFIG_CREDENTIALS_ID", "aks-kubeconfig"));
        params.put("BASE_IMAGE", "");
        @SuppressWarnings("unchecked")
        Map<String, Object> defaults = (Map<String, Object>) plugin.get("defaults");
        defaults.put("baseImage", "127.0.0.1:5000/team/python-ml:2");

        runScript("Jenkinsfile.example");

        assertEquals(List.of("cuda-a100", "docker"), nodeLabels);
        assertEquals("2", spec("gpuTrain").get("gpus"));
        assertEquals("an empty BASE_IMAGE leaves the plugin's default", "127.0.0.1:5000/team/python-ml:2",
                spec("amlEnvSnapshot").get("base_image"));
        assertEquals("aks", spec("aksDeploy").get("target"));
        assertEquals("ml-prod", spec("aksDeploy").get("namespace"));
        assertEquals("a build a person started asks before deploying to AKS", List.of("Deploy svm-moons to AKS namespace ml-prod?"), inputs);
        assertFalse(spec("aksDeploy").containsKey("port"));
        for (String step : STEPS) {
            assertEquals(step, "127.0.0.1:5000/team", spec(step).get("registry"));
        }
        List<String> aksBindings = new ArrayList<>();
        boundCredentials.forEach(b -> aksBindings.add(b.get("$binding") + " " + b.get("credentialsId")));
        assertEquals(List.of("usernamePassword registry-push", "usernamePassword registry-push", "usernamePassword registry-push",
                "usernamePassword registry-push", "file aks-kubeconfig", "usernamePassword registry-push", "file aks-kubeconfig"), aksBindings);
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void scheduledRetraining_toAks_promotesThroughTheGateAlone_withoutAskingAPerson() throws Exception {
        params.putAll(Map.of("DEPLOY_TARGET", "aks", "AKS_NAMESPACE", "ml-prod"));
        timerCauses.add(Map.of("_class", "hudson.triggers.TimerTrigger$TimerTriggerCause"));

        runScript("Jenkinsfile.example");

        assertEquals(List.of("snapshot", "train", "scoring-image", "deploy", "deploy"), cliCommands());
        assertEquals(List.of(), inputs);
        assertEquals("{metric=test_accuracy, min_delta=0.01}", String.valueOf(new java.util.TreeMap<>((Map<?, ?>) spec("aksDeploy").get("gate"))));
        assertTrue(errors.isEmpty());
    }

    @Test
    public void gateKeepsTheServingModel_theBuildDeploysNothing_andSaysWhy() throws Exception {
        cli.scenario("aksDeploy", FakeCli.Scenario.STAGE_FAILS);

        runScript("Jenkinsfile.example");

        assertEquals("the gate alone, no deploy", List.of("snapshot", "train", "scoring-image", "deploy"), cliCommands());
        assertTrue(errors.isEmpty());
        String description = String.valueOf(((Map<?, ?>) getBinding().getVariable("currentBuild")).get("description"));
        assertTrue(description, description.startsWith("svm-moons: kept the serving model (aksDeploy: gate test_accuracy"));
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
}
