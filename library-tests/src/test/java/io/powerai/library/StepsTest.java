package io.powerai.library;

import com.lesfurets.jenkins.unit.MethodCall;
import groovy.json.JsonSlurper;
import io.powerai.core.spec.StageDescriptor;
import io.powerai.core.spec.StepParameters;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** The four steps, each through the same scenarios: done, invalid input, stage failed, no infrastructure. */
@RunWith(Parameterized.class)
public class StepsTest extends LibraryPipelineTest {

    @Parameters(name = "{0}")
    public static List<Object[]> steps() {
        List<Object[]> steps = new ArrayList<>();
        STEPS.forEach(s -> steps.add(new Object[] {s}));
        return steps;
    }

    @Parameter
    public String step;

    static final String PROJECT = "examples/svm-moons";
    static final String ENV_IMAGE = "127.0.0.1:5000/svm-moons-env@" + FakeCli.DIGEST_ENV;
    static final String SCORE_IMAGE = "127.0.0.1:5000/svm-moons-score@" + FakeCli.DIGEST_SCORE;

    /** Each step's CLI command: core's stage descriptor, the one the steps read (the test keeps its own literals too). */
    static final Map<String, String> COMMANDS = commands();

    private static Map<String, String> commands() {
        Map<String, String> commands = new LinkedHashMap<>();
        for (String step : STEPS) {
            commands.put(step, StageDescriptor.ofStep(step).command());
        }
        assertEquals(Map.of("amlEnvSnapshot", "snapshot", "gpuTrain", "train", "scoringImage", "scoring-image", "aksDeploy", "deploy"),
                commands);
        return commands;
    }

    /** Valid arguments of each step for examples/svm-moons, with every credential the step takes. */
    static Map<String, Object> validArgs(String step) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("projectDir", PROJECT);
        args.put("name", "svm-moons");
        args.put("registryCredentialsId", "registry-push");
        switch (step) {
            case "amlEnvSnapshot" -> {
                args.put("baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm");
                args.put("env", Map.of("OMP_NUM_THREADS", "1"));
            }
            case "gpuTrain" -> {
                args.put("image", ENV_IMAGE);
                args.put("script", "train.py");
                args.put("args", List.of("--C", "1.0", "--gamma", "2.0"));
                args.put("data", "data");
                args.put("gpus", 0);
                args.put("timeout", "10m");
                args.put("kubeconfigCredentialsId", "aks-kubeconfig");
            }
            case "scoringImage" -> {
                args.put("entryScript", "score.py");
                args.put("model", "model.pkl");
                args.put("sampleRequest", "sample-request.json");
                args.put("expectedResponse", "sample-response.json");
            }
            case "aksDeploy" -> {
                args.put("image", SCORE_IMAGE);
                args.put("target", "local");
                args.put("port", 8890);
                args.put("readyTimeout", "60s");
                args.put("sampleRequest", "sample-request.json");
                args.put("expectedResponse", "sample-response.json");
                args.put("azureCredentialsId", "azure-sp");
                args.put("kubeconfigCredentialsId", "aks-kubeconfig");
            }
            default -> throw new IllegalArgumentException(step);
        }
        return args;
    }

    /** Arguments the CLI rejects: a misspelt parameter and a value against its rule. */
    static Map<String, Object> invalidArgs(String step) {
        Map<String, Object> args = validArgs(step);
        switch (step) {
            case "amlEnvSnapshot" -> {
                args.put("baseIamge", args.remove("baseImage"));
                args.put("aptPackages", List.of("Not A Package"));
            }
            case "gpuTrain" -> {
                args.put("scirpt", args.remove("script"));
                args.put("timeout", "soon");
            }
            case "scoringImage" -> {
                args.put("entryScript", "no-such-score.py");
                args.put("modle", args.remove("model"));
            }
            case "aksDeploy" -> {
                args.put("port", 80);
                args.put("replicas", 2);
            }
            default -> throw new IllegalArgumentException(step);
        }
        return args;
    }

    /** The credentials each step binds with validArgs: binding kind and id, in order. */
    static List<String> expectedBindings(String step) {
        return switch (step) {
            case "gpuTrain" -> List.of("usernamePassword registry-push", "file aks-kubeconfig");
            case "aksDeploy" -> List.of("usernamePassword registry-push", "azureServicePrincipal azure-sp", "file aks-kubeconfig");
            default -> List.of("usernamePassword registry-push");
        };
    }

    /** A file each stage leaves when it fails, which the build must keep. */
    static String failureLog(String step) {
        return switch (step) {
            case "amlEnvSnapshot" -> ".powerai/environment/context/Dockerfile";
            case "gpuTrain" -> ".powerai/train/train.log";
            case "scoringImage" -> ".powerai/score/smoke-test.log";
            case "aksDeploy" -> ".powerai/deploy/failed-container.log";
            default -> throw new IllegalArgumentException(step);
        };
    }

    static String expectedScript(String step) {
        // The launcher's flags, the descriptor's: tiered compilation only for the commands that hash data, models and outputs.
        String flags = String.join(" ", StageDescriptor.ofStep(step).jvmFlags());
        assertEquals(step.equals("gpuTrain") || step.equals("scoringImage") ? "-XX:+UseSerialGC"
                : "-XX:+UseSerialGC -XX:TieredStopAtLevel=1", flags);
        return "\"$POWERAI_JAVA\" " + flags + " -jar \"$POWERAI_JAR\" " + COMMANDS.get(step)
                + " \"$POWERAI_PROJECT\" --spec \"$POWERAI_SPEC\" --defaults \"$POWERAI_DEFAULTS\" --workspace \"$POWERAI_WORKSPACE\" 2>\"$POWERAI_ERR\"";
    }

    private Map<String, Object> readJson(String relative) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) new JsonSlurper().parseText(Files.readString(workspace.resolve(relative)));
        return map;
    }

    @Test
    public void done_runsTheCliWithValuesOnlyInTheEnvironment_andReturnsTheResultFile() throws Exception {
        Object returned = runStep(step, validArgs(step));

        assertEquals(1, shCalls.size());
        ShCall sh = shCalls.get(0);
        assertEquals("the script holds only variable references", expectedScript(step), sh.script());
        assertEquals("the CLI got the values through the environment",
                List.of(COMMANDS.get(step), PROJECT, "--spec", ".powerai/specs/" + step + ".json", "--defaults",
                        ".powerai/specs/" + step + ".defaults.json", "--workspace", "."), sh.argv());
        assertEquals("the plugin's jar, run by the plugin's java", plugin.get("jar"), sh.jar());
        assertEquals(plugin.get("java"), sh.environment().get("POWERAI_JAVA"));
        MethodCall shCall = getHelper().getCallStack().stream().filter(c -> c.getMethodName().equals("sh")).findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, ((Map<?, ?>) shCall.getArgs()[0]).get("returnStatus"));

        assertTrue("a plain Map the next step can use", returned instanceof LinkedHashMap);
        assertEquals(readJson(".powerai/" + step + ".json"), returned);
        assertEquals("succeeded", ((Map<?, ?>) returned).get("status"));

        assertEquals(1, archives.size());
        ArchiveCall archive = archives.get(0);
        assertEquals(Boolean.TRUE, archive.fingerprint());
        assertEquals(Boolean.TRUE, archive.allowEmptyArchive());
        assertTrue(archive.files().toString(), archive.files().containsAll(List.of(".powerai/" + step + ".json",
                ".powerai/specs/" + step + ".json", ".powerai/audit.jsonl", ".powerai/audit.jsonl.head")));
        assertFalse("the stderr file is no artifact", archive.files().contains(".powerai/specs/" + step + ".stderr"));

        assertEquals(1, echoes.size());
        assertTrue(echoes.get(0), echoes.get(0).startsWith("[" + step + "] succeeded: "));
        assertTrue(errors.isEmpty());
    }

    @Test
    public void done_archivesItsOwnAttestations_andNoOtherStagesOnes() throws Exception {
        java.nio.file.Path dir = Files.createDirectories(workspace.resolve(".powerai/attestations"));
        List<String> stages = List.of("amlEnvSnapshot", "gpuTrain", "scoringImage");
        for (String stage : stages) {
            Files.writeString(dir.resolve(stage + ".dsse.json"), "{}");
            Files.writeString(dir.resolve(stage + ".cdx.json"), "{}");
        }

        runStep(step, validArgs(step));

        java.util.Set<String> archived = archives.get(0).files();
        for (String stage : stages) {
            for (String suffix : List.of(".dsse.json", ".cdx.json")) {
                String file = ".powerai/attestations/" + stage + suffix;
                assertEquals(file + " archived by " + step + ": " + archived, stage.equals(step), archived.contains(file));
            }
        }
    }

    @Test
    public void done_putsItsLineOnTheBuildPage_withLinksToItsArchivedResultLogAndChart() throws Exception {
        runStep(step, validArgs(step));

        assertEquals(1, summaries.size());
        Map<String, Object> summary = summaries.get(0);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("stage", step);
        expected.put("text", echoes.get(0));
        expected.put("result", ".powerai/" + step + ".json");
        switch (step) {
            case "gpuTrain" -> {
                expected.put("log", ".powerai/train/train.log");
                expected.put("chart", ".powerai/train/metrics.svg");
            }
            default -> { } // no log file of its own (scoringImage writes one only when it fails): the console output
        }
        assertEquals(expected, summary);
        Set<String> archived = archives.get(0).files();
        for (String role : List.of("result", "log", "chart")) {
            if (summary.containsKey(role)) {
                assertTrue(role + " " + summary.get(role) + " is archived: " + archived, archived.contains(summary.get(role)));
            }
        }
        int summaryCall = callIndex("poweraiSummary");
        assertTrue("after archiving, so the links lead somewhere", callIndex("archiveArtifacts") < summaryCall);
    }

    @Test
    public void done_withoutThePlugin_namesTheArchivedFilesInTheBuildLog() throws Exception {
        env.put("POWERAI_CLI", "/bin/sh " + fakeCli);
        plugin = null;

        runStep(step, validArgs(step));

        assertTrue(summaries.isEmpty());
        assertEquals(echoes.toString(), 2, echoes.size());
        assertTrue(echoes.get(0), echoes.get(0).startsWith("[" + step + "] succeeded: "));
        String expected = switch (step) {
            case "gpuTrain" -> "[gpuTrain] archived: result .powerai/gpuTrain.json, log .powerai/train/train.log, "
                    + "chart .powerai/train/metrics.svg (the build's artifacts)";
            default -> "[" + step + "] archived: result .powerai/" + step + ".json (the build's artifacts)";
        };
        assertEquals(expected, echoes.get(1));
        assertTrue(errors.isEmpty());
    }

    private int callIndex(String method) {
        List<String> names = getHelper().getCallStack().stream().map(MethodCall::getMethodName).toList();
        return names.indexOf(method);
    }

    @Test
    public void done_archivesWhatTheStageProduced() throws Exception {
        runStep(step, validArgs(step));

        Set<String> files = archives.get(0).files();
        List<String> expected = switch (step) {
            case "amlEnvSnapshot" -> List.of(".powerai/environment/context/Dockerfile");
            case "gpuTrain" -> List.of(".powerai/train/outputs/model.pkl", ".powerai/train/train.log", ".powerai/train/metrics.json");
            case "scoringImage" -> List.of(".powerai/score/context/Dockerfile");
            default -> List.of();
        };
        assertTrue(files.toString(), files.containsAll(expected));
    }

    @Test
    public void done_archivesExactlyTheStagesDescribedArtifacts_andTheAuditLog() throws Exception {
        runStep(step, validArgs(step));

        StageDescriptor descriptor = StageDescriptor.ofStep(step);
        assertEquals(String.join(", ", descriptor.artifactPatterns()) + ", " + String.join(", ", StageDescriptor.AUDIT_LOG),
                archives.get(0).artifacts());
        assertEquals("the library's own fallback is core's", String.join(", ", StageDescriptor.AUDIT_LOG), StepRunnerConstants.auditLog());
        assertEquals(0, cli.descriptorQueries()); // the plugin handed them over
    }

    @Test
    public void credentials_areBoundByIdAndReachTheCliOnlyThroughItsEnvironment() throws Exception {
        Object returned = runStep(step, validArgs(step));

        List<String> bound = new ArrayList<>();
        boundCredentials.forEach(b -> bound.add(b.get("$binding") + " " + b.get("credentialsId")));
        assertEquals(expectedBindings(step), bound);
        Map<String, String> cliEnv = cli.invocations().get(0).environment();
        assertEquals("regPassw0rd-93fe1d", cliEnv.get("POWERAI_REGISTRY_PASSWORD"));
        assertEquals("regUser-b71c", cliEnv.get("POWERAI_REGISTRY_USERNAME"));
        if (step.equals("aksDeploy")) {
            assertEquals("azClientSecret-d00d42", cliEnv.get("AZURE_CLIENT_SECRET"));
            assertEquals("clientId-8a7b6c", cliEnv.get("AZURE_CLIENT_ID"));
            assertEquals("tenantId-77e1", cliEnv.get("AZURE_TENANT_ID"));
            assertEquals("subId-1f2e3d4c", cliEnv.get("AZURE_SUBSCRIPTION_ID"));
        }
        if (step.equals("gpuTrain") || step.equals("aksDeploy")) {
            assertEquals("kubeconfigToken-6b2f9e", Files.readString(Path.of(cliEnv.get("KUBECONFIG"))));
        }

        assertNoSecretIn("the build's record", everythingRecorded());
        assertNoSecretIn("the returned result", String.valueOf(returned));
        assertTrue("the summary names the credential, not its value", echoes.get(0).contains("registryCredentialsId 'registry-push'"));
    }

    @Test
    public void specFile_holdsExactlyTheCliParametersGiven() throws Exception {
        Map<String, Object> args = validArgs(step);
        runStep(step, args);

        Map<String, Object> expected = new TreeMap<>(args);
        expected.keySet().removeAll(List.of("projectDir", "pipelineFile", "registryCredentialsId", "azureCredentialsId", "kubeconfigCredentialsId"));
        Map<String, Object> spec = readJson(".powerai/specs/" + step + ".json");
        assertEquals(expected, spec);
        assertEquals("sorted keys", new ArrayList<>(expected.keySet()), new ArrayList<>(spec.keySet()));
        assertTrue(spec.keySet() + " are parameters the CLI accepts, by their step names",
                StepParameters.stepNames(FakeCli.stage(step)).containsAll(spec.keySet()));
    }

    @Test
    public void invalidInput_endsWithTheCliMessage_andArchivesOnlyTheAuditLog() throws Exception {
        PipelineError error = runFailingStep(step, invalidArgs(step));

        String stderr = Files.readString(workspace.resolve(".powerai/specs/" + step + ".stderr"));
        assertEquals("the CLI's message, exactly", stderr.strip(), error.getMessage());
        assertTrue(error.getMessage(), error.getMessage().lines().allMatch(l -> l.startsWith(step + ": ")));
        assertTrue("one line per problem: " + error.getMessage(), error.getMessage().lines().count() >= 2);
        assertEquals(List.of(error.getMessage()), errors);

        assertEquals(1, archives.size());
        assertEquals(".powerai/audit.jsonl, .powerai/audit.jsonl.head", archives.get(0).artifacts());
        assertFalse(Files.exists(workspace.resolve(".powerai/" + step + ".json")));
        assertTrue("no success summary", echoes.isEmpty());

        Map<String, Object> spec = readJson(".powerai/specs/" + step + ".json");
        Set<String> stepOnly = new HashSet<>(List.of("projectDir", "registryCredentialsId", "azureCredentialsId", "kubeconfigCredentialsId"));
        stepOnly.retainAll(spec.keySet());
        assertTrue("step-only parameters in the spec: " + stepOnly, stepOnly.isEmpty());
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void aksDeploy_gateOnly_runsTheGateAlone_andAKeptVerdictIsAnAnswerNotAnError() throws Exception {
        org.junit.Assume.assumeTrue("gateOnly is a parameter of aksDeploy only", step.equals("aksDeploy"));
        Map<String, Object> args = new java.util.LinkedHashMap<>(validArgs(step));
        args.put("gateOnly", true);
        args.put("gate", Map.of("metric", "test_accuracy"));

        Object passed = runStep(step, args);
        cli.scenario(step, FakeCli.Scenario.STAGE_FAILS);
        Object kept = runStep(step, args);

        assertEquals(Map.of("gatePassed", true, "gate", ""), passed);
        assertEquals(false, ((Map<?, ?>) kept).get("gatePassed"));
        assertTrue(String.valueOf(((Map<?, ?>) kept).get("gate")).contains("the serving version stays"));
        assertFalse(Files.exists(workspace.resolve(".powerai/aksDeploy.json")));
        String spec = Files.readString(workspace.resolve(".powerai/specs/aksDeploy.json"));
        assertTrue(spec, spec.contains("\"gate\"") && !spec.contains("gateOnly"));
    }

    @Test
    public void stageFailure_archivesTheAuditLogAndLogsBeforeTheError() throws Exception {
        cli.scenario(step, FakeCli.Scenario.STAGE_FAILS);

        PipelineError error = runFailingStep(step, validArgs(step));

        String stderr = Files.readString(workspace.resolve(".powerai/specs/" + step + ".stderr"));
        assertEquals(stderr.strip(), error.getMessage());
        assertTrue(error.getMessage().startsWith(step + ": "));
        assertEquals(1, archives.size());
        assertTrue(archives.get(0).files().toString(), archives.get(0).files().containsAll(
                List.of(".powerai/audit.jsonl", ".powerai/audit.jsonl.head", failureLog(step))));
        List<String> order = new ArrayList<>();
        getHelper().getCallStack().forEach(c -> {
            if (c.getMethodName().equals("archiveArtifacts") || c.getMethodName().equals("error")) {
                order.add(c.getMethodName());
            }
        });
        assertEquals(List.of("archiveArtifacts", "error"), order);
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void infrastructureUnavailable_endsWithTheCliMessageAsItIs() throws Exception {
        cli.scenario(step, FakeCli.Scenario.INFRASTRUCTURE_UNAVAILABLE);

        PipelineError error = runFailingStep(step, validArgs(step));

        assertEquals(step + ": no container engine: neither docker nor podman is on PATH (install one, or set POWERAI_ENGINE)",
                error.getMessage());
        assertEquals(1, archives.size());
        assertEquals(".powerai/audit.jsonl, .powerai/audit.jsonl.head", archives.get(0).artifacts());
    }

    @Test
    public void stepOnlyParameters_matchTheLibrarysTable() throws Exception {
        Set<String> expected = new TreeSet<>(List.of("projectDir", "pipelineFile", "registryCredentialsId"));
        if (step.equals("gpuTrain") || step.equals("aksDeploy")) {
            expected.add("kubeconfigCredentialsId");
        }
        if (step.equals("gpuTrain")) {
            expected.addAll(List.of("kubernetesAgent", "kubernetesCloud"));
        }
        if (step.equals("aksDeploy")) {
            expected.addAll(List.of("azureCredentialsId", "action", "gateOnly"));
        } else {
            expected.add("signingCredentialsId"); // the stages that sign what they make
        }
        assertEquals(expected, new TreeSet<>(LibraryDocs.stepOnlyParameters(step)));
        assertNotNull(LibraryDocs.stepOnlyParameters(step));
    }
}
