package io.powerai.library;

import groovy.json.JsonSlurper;
import org.codehaus.groovy.runtime.GStringImpl;
import org.junit.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** Where the CLI comes from, the plugin's defaults against the step's arguments, and unusual exits. */
public class StepOptionsTest extends LibraryPipelineTest {

    private Map<String, Object> spec(String step) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) new JsonSlurper()
                .parseText(Files.readString(workspace.resolve(".powerai/specs/" + step + ".json")));
        return map;
    }

    private List<String> boundIds() {
        List<String> ids = new ArrayList<>();
        boundCredentials.forEach(b -> ids.add(String.valueOf(b.get("credentialsId"))));
        return ids;
    }

    @SuppressWarnings("unchecked")
    private void pluginDefaults(Map<String, Object> defaults) {
        ((Map<String, Object>) plugin.get("defaults")).putAll(defaults);
    }

    private static Map<String, Object> snapshotArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("projectDir", "examples/svm-moons");
        args.put("name", "svm-moons");
        return args;
    }

    private Map<String, Object> defaultsFile(String step) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) new JsonSlurper()
                .parseText(Files.readString(workspace.resolve(".powerai/specs/" + step + ".defaults.json")));
        return map;
    }

    /** A project with no pipeline file: everything comes from the step's arguments and the plugin's defaults. */
    private Map<String, Object> bareSnapshotArgs() throws Exception {
        copyTree(workspace.resolve("examples/svm-moons"), workspace.resolve("bare"));
        Files.delete(workspace.resolve("bare/powerai.yaml"));
        Map<String, Object> args = snapshotArgs();
        args.put("projectDir", "bare");
        return args;
    }

    @Test
    public void pluginDefaults_fillWhatTheStepWasNotGiven() throws Exception {
        pluginDefaults(Map.of("registry", "127.0.0.1:5000/team", "baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm",
                "registryCredentialsId", "default-registry-push", "engine", "podman"));

        Map<?, ?> result = (Map<?, ?>) runStep("amlEnvSnapshot", bareSnapshotArgs());

        assertEquals("the step's own arguments only", Map.of("name", "svm-moons"), spec("amlEnvSnapshot"));
        assertEquals("the plugin's defaults, in the global configuration's names, for the CLI to read under the rest",
                plugin.get("defaults"), defaultsFile("amlEnvSnapshot"));
        assertEquals("127.0.0.1:5000/powerai/python-ml:bookworm", result.get("baseImage"));
        assertEquals(List.of("default-registry-push"), boundIds());
        assertEquals("podman", shCalls.get(0).environment().get("POWERAI_ENGINE"));
        assertEquals("defPassw0rd-0c4e77", cli.invocations().get(0).environment().get("POWERAI_REGISTRY_PASSWORD"));
        assertTrue(String.valueOf(result.get("image")).startsWith("127.0.0.1:5000/team/svm-moons-env@sha256:"));
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void stepArguments_winOverPluginDefaults() throws Exception {
        pluginDefaults(Map.of("registry", "127.0.0.1:5000/team", "baseImage", "127.0.0.1:5000/other:1",
                "registryCredentialsId", "default-registry-push"));
        Map<String, Object> args = snapshotArgs();
        args.put("registry", "127.0.0.1:5000/mine");
        args.put("baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm");
        args.put("registryCredentialsId", "registry-push");

        Map<?, ?> result = (Map<?, ?>) runStep("amlEnvSnapshot", args);

        assertTrue(String.valueOf(result.get("image")).startsWith("127.0.0.1:5000/mine/svm-moons-env@"));
        assertEquals("127.0.0.1:5000/powerai/python-ml:bookworm", result.get("baseImage"));
        assertEquals(List.of("registry-push"), boundIds());
    }

    @Test
    public void thePipelineFile_winsOverPluginDefaults() throws Exception {
        pluginDefaults(Map.of("registry", "127.0.0.1:5000/team", "baseImage", "127.0.0.1:5000/other:1"));

        Map<?, ?> result = (Map<?, ?>) runStep("amlEnvSnapshot", snapshotArgs());

        assertTrue(String.valueOf(result.get("image")), String.valueOf(result.get("image")).startsWith("127.0.0.1:5000/svm-moons-env@"));
        assertEquals("examples/svm-moons/powerai.yaml's", "127.0.0.1:5000/powerai/python-ml:bookworm", result.get("baseImage"));
    }

    @Test
    public void emptyCredentialsId_turnsThePluginDefaultOff() throws Exception {
        pluginDefaults(Map.of("registryCredentialsId", "default-registry-push"));
        Map<String, Object> args = snapshotArgs();
        args.put("baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm");
        args.put("registryCredentialsId", "");

        runStep("amlEnvSnapshot", args);

        assertTrue(boundIds().isEmpty());
        assertEquals(0, getHelper().methodCallCount("withCredentials"));
        assertNull(cli.invocations().get(0).environment().get("POWERAI_REGISTRY_PASSWORD"));
    }

    @Test
    public void baseImageDefault_isOnlyForTheSnapshot() throws Exception {
        pluginDefaults(Map.of("baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm"));
        Map<String, Object> args = StepsTest.validArgs("gpuTrain");

        Map<?, ?> result = (Map<?, ?>) runStep("gpuTrain", args);

        assertFalse(spec("gpuTrain").containsKey("baseImage"));
        assertEquals("the CLI takes of the defaults what is the step's", "succeeded", result.get("status"));
    }

    @Test
    public void agentsOwnEngine_winsOverThePluginDefault() throws Exception {
        pluginDefaults(Map.of("engine", "podman"));
        env.put("POWERAI_ENGINE", "docker");
        Map<String, Object> args = snapshotArgs();
        args.put("baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm");

        runStep("amlEnvSnapshot", args);

        assertFalse(shCalls.get(0).environment().containsKey("POWERAI_ENGINE"));
    }

    @Test
    public void poweraiCliInTheEnvironment_isUsedInsteadOfThePlugin() throws Exception {
        env.put("POWERAI_CLI", "/bin/sh " + fakeCli); // a command prefix, split by the shell
        plugin = null;
        Map<String, Object> args = snapshotArgs();
        args.put("baseImage", "127.0.0.1:5000/powerai/python-ml:bookworm");

        Map<?, ?> result = (Map<?, ?>) runStep("amlEnvSnapshot", args);

        assertEquals(0, getHelper().methodCallCount("poweraiCli"));
        // First the descriptors from the CLI itself (no plugin hands them over), then the stage.
        assertEquals(2, shCalls.size());
        assertEquals("$POWERAI_CLI stages --json >\"$POWERAI_DESCRIPTORS\" 2>\"$POWERAI_ERR\"", shCalls.get(0).script());
        assertEquals(List.of("stages", "--json"), shCalls.get(0).argv());
        assertEquals(1, cli.descriptorQueries());
        ShCall stage = shCalls.get(1);
        assertEquals(env.get("POWERAI_CLI"), stage.environment().get("POWERAI_CLI"));
        assertTrue(stage.script(), stage.script().startsWith("$POWERAI_CLI snapshot \"$POWERAI_PROJECT\" "));
        assertEquals("snapshot", stage.argv().get(0));
        assertFalse(stage.environment().containsKey("POWERAI_JAVA"));
        assertEquals("succeeded", result.get("status"));
    }

    @Test
    public void withoutThePlugin_theDescriptorsTheCliPrints_decideTheRun() throws Exception {
        env.put("POWERAI_CLI", "/bin/sh " + fakeCli);
        plugin = null;

        runStep("gpuTrain", StepsTest.validArgs("gpuTrain"));

        io.powerai.core.spec.StageDescriptor train = io.powerai.core.spec.StageDescriptor.ofStep("gpuTrain");
        assertEquals(String.join(", ", train.artifactPatterns()) + ", " + StepRunnerConstants.auditLog(), archives.get(0).artifacts());
        assertTrue(shCalls.get(1).script(), shCalls.get(1).script().startsWith("$POWERAI_CLI " + train.command() + " "));
        assertTrue(echoes.get(0), echoes.get(0).contains("metrics {test_accuracy=0.97}"));
    }

    @Test
    public void pluginWithoutDescriptors_asksItsCliForThem() throws Exception {
        plugin.remove("descriptors"); // a plugin older than the library

        runStep("scoringImage", StepsTest.validArgs("scoringImage"));

        assertEquals(List.of("stages", "scoring-image"), cliCommands());
        assertTrue(shCalls.get(0).script(), shCalls.get(0).script().startsWith("\"$POWERAI_JAVA\" -jar \"$POWERAI_JAR\" stages --json "));
        assertTrue(shCalls.get(1).script(), shCalls.get(1).script().startsWith("\"$POWERAI_JAVA\" -XX:+UseSerialGC -jar "));
    }

    @Test
    public void descriptorsOfAnotherVersion_endTheBuildWithWhatDoesNotFit() throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> descriptors = new LinkedHashMap<>((Map<String, Object>) plugin.get("descriptors"));
        descriptors.put("schemaVersion", 2);
        plugin.put("descriptors", descriptors);

        PipelineError error = runFailingStep("amlEnvSnapshot", snapshotArgs());

        assertTrue(error.getMessage(), error.getMessage().startsWith("amlEnvSnapshot: the powerai CLI does not describe this step"));
        assertTrue(shCalls.isEmpty());
    }

    @Test
    public void signingCredentialsId_bindsTheKeysFileToPOWERAI_SIGNING_KEY_forTheStagesThatSign() throws Exception {
        for (String step : List.of("amlEnvSnapshot", "gpuTrain", "scoringImage")) {
            boundCredentials.clear();
            cli.invocations().clear();
            Map<String, Object> args = StepsTest.validArgs(step);
            args.put("signingCredentialsId", "signing-key");

            runStep(step, args);

            Map<String, Object> binding = boundCredentials.get(boundCredentials.size() - 1);
            assertEquals(step, Map.of("$binding", "file", "credentialsId", "signing-key", "variable", "POWERAI_SIGNING_KEY"), binding);
            String keyFile = cli.invocations().get(0).environment().get("POWERAI_SIGNING_KEY");
            assertEquals(CREDENTIALS.get("signing-key").get("content"), Files.readString(java.nio.file.Path.of(keyFile)));
            assertFalse(step + ": the key file is the credential's own, outside the workspace",
                    java.nio.file.Path.of(keyFile).startsWith(workspace));
            assertFalse(step + ": a step-only parameter", spec(step).containsKey("signingCredentialsId"));
        }
        assertNoSecretIn("the build's record", everythingRecorded());
    }

    @Test
    public void signingCredentialsId_defaultsToThePlugins_andAnEmptyArgumentTurnsItOff() throws Exception {
        pluginDefaults(Map.of("signingCredentialsId", "signing-key"));

        runStep("scoringImage", StepsTest.validArgs("scoringImage"));
        assertEquals(List.of("registry-push", "signing-key"), boundIds());
        assertTrue(echoes.get(0), echoes.get(0).contains("signingCredentialsId 'signing-key'"));

        boundCredentials.clear();
        Map<String, Object> args = StepsTest.validArgs("scoringImage");
        args.put("signingCredentialsId", "");
        runStep("scoringImage", args);
        assertEquals(List.of("registry-push"), boundIds());

        boundCredentials.clear();
        runStep("aksDeploy", StepsTest.validArgs("aksDeploy"));
        assertFalse("aksDeploy signs nothing: the default is not bound", boundIds().contains("signing-key"));
    }

    @Test
    public void pluginGivingOnlyACommand_isRunAsACommandPrefix() throws Exception {
        plugin.remove("java");
        plugin.remove("jar");
        plugin.put("command", "/bin/sh " + fakeCli);

        Map<?, ?> result = (Map<?, ?>) runStep("gpuTrain", StepsTest.validArgs("gpuTrain"));

        assertTrue(shCalls.get(0).script(), shCalls.get(0).script().startsWith("$POWERAI_CLI train "));
        assertEquals("/bin/sh " + fakeCli, shCalls.get(0).environment().get("POWERAI_CLI"));
        assertEquals("succeeded", result.get("status"));
    }

    @Test
    public void noPluginAndNoPoweraiCli_endsWithWhatToInstall() throws Exception {
        plugin = null;

        PipelineError error = runFailingStep("gpuTrain", StepsTest.validArgs("gpuTrain"));

        assertTrue(error.getMessage(), error.getMessage().startsWith("powerai: the powerai CLI is not available here: install the powerai plugin"));
        assertTrue(error.getMessage().contains("POWERAI_CLI"));
        assertEquals(0, shCalls.size());
    }

    @Test
    public void cliThatCannotStart_endsWithTheStatusAndTheShellsMessage() throws Exception {
        env.put("POWERAI_CLI", "/nonexistent/powerai");

        PipelineError error = runFailingStep("gpuTrain", StepsTest.validArgs("gpuTrain"));

        assertEquals(127, shCalls.get(0).status());
        assertTrue(error.getMessage(), error.getMessage().startsWith("gpuTrain: the powerai CLI exited with status 127: "));
        assertTrue(error.getMessage(), error.getMessage().contains("/nonexistent/powerai"));
        assertEquals(".powerai/audit.jsonl, .powerai/audit.jsonl.head", archives.get(0).artifacts());
    }

    @Test
    public void gstringArguments_areWrittenAsPlainStrings() throws Exception {
        Map<String, Object> args = StepsTest.validArgs("gpuTrain");
        args.put("timeout", new GStringImpl(new Object[] {10}, new String[] {"", "m"}));
        args.put("args", List.of("--C", new GStringImpl(new Object[] {"1.0"}, new String[] {"", ""})));

        runStep("gpuTrain", args);

        assertEquals("10m", spec("gpuTrain").get("timeout"));
        assertEquals(List.of("--C", "1.0"), spec("gpuTrain").get("args"));
    }

    @Test
    public void specValues_neverReachTheShellScript() throws Exception {
        // A value a shell would execute if it were interpolated into the script.
        Map<String, Object> args = StepsTest.validArgs("gpuTrain");
        args.put("name", "x\"; touch pwned; echo \"");

        PipelineError error = runFailingStep("gpuTrain", args);

        assertFalse(Files.exists(workspace.resolve("pwned")));
        assertFalse(shCalls.get(0).script().contains("pwned"));
        assertTrue(error.getMessage(), error.getMessage().contains("gpuTrain: 'name' must be"));
    }

    @Test
    public void longMessages_areCutWithAPointerToTheWholeText() throws Exception {
        Map<String, Object> args = StepsTest.validArgs("gpuTrain");
        for (int i = 0; i < 45; i++) {
            args.put("unknown_" + i, i);
        }

        PipelineError error = runFailingStep("gpuTrain", args);

        List<String> lines = error.getMessage().lines().toList();
        assertEquals(41, lines.size());
        assertTrue(lines.get(40), lines.get(40).matches("\\(\\d+ more line\\(s\\) in \\.powerai/specs/gpuTrain\\.stderr\\)"));
    }

    @Test
    public void aksDeployAction_runsTheDeploySubcommand_andStaysOutOfTheSpec() throws Exception {
        runStep("aksDeploy", localDeleteArgs());

        assertTrue(shCalls.get(0).script(), shCalls.get(0).script().contains(" deploy delete \"$POWERAI_PROJECT\" --spec \"$POWERAI_SPEC\""));
        assertEquals(Map.of("name", "svm-moons", "target", "local"), spec("aksDeploy"));
    }

    private static Map<String, Object> localDeleteArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("projectDir", "examples/svm-moons");
        args.put("name", "svm-moons");
        args.put("target", "local");
        args.put("action", "delete");
        return args;
    }

    @Test
    public void globalDeployPolicy_reachesAksDeploysCli_asVariablesOverTheProject_andNoOtherStep() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";
        pluginDefaults(Map.of("policyRequireProvenance", "true", "policyAllowedKeys", pem));

        runStep("aksDeploy", localDeleteArgs());
        runStep("amlEnvSnapshot", snapshotArgs());

        assertEquals("true", shCalls.get(0).environment().get("POWERAI_REQUIRE_PROVENANCE"));
        assertEquals(pem, shCalls.get(0).environment().get("POWERAI_ALLOWED_KEYS"));
        assertFalse(shCalls.get(1).environment().containsKey("POWERAI_REQUIRE_PROVENANCE"));
        assertFalse(shCalls.get(1).environment().containsKey("POWERAI_ALLOWED_KEYS"));
    }

    @Test
    public void aksDeployAction_unknown_endsTheBuildBeforeAnyCall() throws Exception {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("projectDir", "examples/svm-moons");
        args.put("name", "svm-moons");
        args.put("action", "remove");

        PipelineError error = runFailingStep("aksDeploy", args);

        assertEquals("aksDeploy: 'action' must be one of deploy, promote, rollback, delete; got 'remove'", error.getMessage());
        assertTrue(shCalls.isEmpty());
    }
}
