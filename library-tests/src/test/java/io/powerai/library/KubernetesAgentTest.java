package io.powerai.library;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * gpuTrain(kubernetesAgent: true): the pod from the CLI, the workspace into it, prepare / train / record in the
 * right containers, the results back on the agent, archived; in CPS mode, as Jenkins runs it.
 */
public class KubernetesAgentTest extends LibraryPipelineTest {

    @Override
    protected boolean cps() {
        return true;
    }

    private static Map<String, Object> podArgs() {
        Map<String, Object> args = StepsTest.validArgs("gpuTrain");
        args.put("kubernetesAgent", true);
        args.put("kubernetesCloud", "aks-gpu");
        args.put("gpus", 1);
        return args;
    }

    @Test
    public void trainsInThePod_recordsThere_andBringsTheResultsBack() throws Exception {
        env.put("BUILD_TAG", "jenkins-retrain-42");

        Map<?, ?> result = (Map<?, ?>) runStep("gpuTrain", podArgs());

        assertEquals(List.of("pod-template", "train", "?", "train"), cliCommands());
        assertEquals(List.of("--pod", "prepare"), shCalls.get(1).argv().subList(shCalls.get(1).argv().size() - 2, shCalls.get(1).argv().size()));
        assertEquals(List.of("--pod", "record"), shCalls.get(3).argv().subList(shCalls.get(3).argv().size() - 2, shCalls.get(3).argv().size()));
        // The pod is the one the CLI rendered, on the cloud the step named; the spec never carries the step-only keys.
        assertEquals(1, podTemplates.size());
        assertEquals("aks-gpu", podTemplates.get(0).get("cloud"));
        assertTrue(String.valueOf(podTemplates.get(0).get("yaml")).contains("- name: train\n    image: " + StepsTest.ENV_IMAGE));
        assertEquals(List.of("powerai-pod-1"), nodeLabels);
        // Only the training itself runs in the training container; the CLI runs in the agent container.
        assertEquals(List.of("train: python3 .powerai/train/pod_train_runner.py .powerai/train/pod-run.json"), containerScripts);
        assertEquals(2, stashes.size());
        assertTrue(stashes.get(0), stashes.get(0).startsWith("powerai-gpuTrain-jenkins-retrain-42-") && stashes.get(0).endsWith("-workspace **"));
        assertTrue(stashes.get(1), stashes.get(1).endsWith("-results .powerai/**"));
        assertEquals(List.of(stashes.get(0).split(" ")[0], stashes.get(1).split(" ")[0]), unstashes);
        assertEquals("succeeded", result.get("status"));
        ArchiveCall archive = archives.get(archives.size() - 1);
        assertEquals(Boolean.TRUE, archive.fingerprint());
        assertTrue(archive.files().toString(), archive.files().contains(".powerai/train/outputs/model.pkl"));
        String spec = java.nio.file.Files.readString(workspace.resolve(".powerai/specs/gpuTrain.json"));
        assertFalse(spec, spec.contains("kubernetesAgent") || spec.contains("kubernetesCloud"));
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void invalidSpec_endsTheBuildBeforeAnyPod() throws Exception {
        Map<String, Object> args = podArgs();
        args.put("timeout", "soon");

        PipelineError error = runFailingStep("gpuTrain", args);

        assertTrue(error.getMessage(), error.getMessage().startsWith("gpuTrain: "));
        assertTrue(error.getMessage(), error.getMessage().contains("'timeout'"));
        assertEquals(List.of("pod-template"), cliCommands());
        assertTrue(podTemplates.isEmpty());
        assertTrue(stashes.isEmpty());
    }

    @Test
    public void failedTraining_isArchivedAndEndsTheBuild_withTheRecordsMessage() throws Exception {
        cli.scenario("gpuTrain", FakeCli.Scenario.STAGE_FAILS);

        PipelineError error = runFailingStep("gpuTrain", podArgs());

        assertTrue(error.getMessage(), error.getMessage().startsWith("gpuTrain: the training script exited with status 1"));
        assertEquals(List.of("pod-template", "train", "?", "train"), cliCommands());
        assertTrue(archives.get(archives.size() - 1).files().contains(".powerai/train/train.log"));
    }
}
