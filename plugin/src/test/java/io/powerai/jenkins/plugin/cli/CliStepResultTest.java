package io.powerai.jenkins.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.powerai.core.spec.StageDescriptor;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliStepResultTest {
    private static final BundledCli CLI = new BundledCli("0.1.0", "e".repeat(64), () -> new ByteArrayInputStream(new byte[0]));

    @Test
    void toMap_hasTheCommandTheCliTheSevenDefaultsTheDeployPolicyAndTheStageDescriptors() {
        CliDefaults defaults = new CliDefaults("myacr.azurecr.io", "acr-push", "azure-sp", null, "signing-key", "podman", " ", null, null);
        CliCommand command = CliCommand.of("/opt/jdk 17", "/agent/tools/powerai/0.1.0/powerai-cli.jar", CliCommand.Shell.POSIX);

        Map<String, Object> map = CliStepResult.toMap(command, CLI, CliCache.Outcome.INSTALLED, defaults);

        assertThat(map).containsExactly(
                Map.entry("command", "'/opt/jdk 17/bin/java' -jar /agent/tools/powerai/0.1.0/powerai-cli.jar"),
                Map.entry("java", "/opt/jdk 17/bin/java"),
                Map.entry("jar", "/agent/tools/powerai/0.1.0/powerai-cli.jar"),
                Map.entry("version", "0.1.0"),
                Map.entry("sha256", "e".repeat(64)),
                Map.entry("cache", "installed"),
                Map.entry("defaults", defaults.toMap()),
                Map.entry("descriptors", StageDescriptor.all()));
        assertThat(defaults.toMap()).containsExactly(
                Map.entry("registry", "myacr.azurecr.io"),
                Map.entry("registryCredentialsId", "acr-push"),
                Map.entry("azureCredentialsId", "azure-sp"),
                Map.entry("kubeconfigCredentialsId", ""),
                Map.entry("signingCredentialsId", "signing-key"),
                Map.entry("engine", "podman"),
                Map.entry("baseImage", ""),
                Map.entry("policyRequireProvenance", ""),
                Map.entry("policyAllowedKeys", ""));
        assertThat(new CliDefaults(null, null, null, null, null, null, null, "true", "PEM").toMap())
                .containsEntry("policyRequireProvenance", "true").containsEntry("policyAllowedKeys", "PEM");
    }

    @Test
    void defaults_nothingConfigured_areEmptyStringsNeverNull() {
        assertThat(CliDefaults.NONE.toMap()).hasSize(9).allSatisfy((key, value) -> assertThat(value).isEqualTo(""));
    }

    @Test
    void descriptors_arePlainMapsListsAndStrings_thatAPipelineCanKeepAcrossARestart() {
        Map<String, Object> map = CliStepResult.toMap(CliCommand.of("/jdk", "/a.jar", CliCommand.Shell.POSIX), CLI,
                CliCache.Outcome.REUSED, CliDefaults.NONE);

        @SuppressWarnings("unchecked")
        Map<String, Object> stages = (Map<String, Object>) ((Map<String, Object>) map.get("descriptors")).get("stages");
        assertThat(stages).containsOnlyKeys("amlEnvSnapshot", "gpuTrain", "scoringImage", "aksDeploy");
        assertPlain(map.get("descriptors"));
        @SuppressWarnings("unchecked")
        Map<String, Object> train = (Map<String, Object>) stages.get("gpuTrain");
        assertThat(train).containsEntry("command", "train").containsEntry("jvmFlags", List.of("-XX:+UseSerialGC"));
    }

    /** Only what CPS serializes without a whitelist entry: LinkedHashMap, ArrayList, String, Integer. */
    private static void assertPlain(Object value) {
        if (value instanceof Map<?, ?> m) {
            assertThat(m).isInstanceOf(java.util.LinkedHashMap.class);
            m.values().forEach(CliStepResultTest::assertPlain);
        } else if (value instanceof List<?> l) {
            assertThat(l).isInstanceOf(java.util.ArrayList.class);
            l.forEach(CliStepResultTest::assertPlain);
        } else {
            assertThat(value).isInstanceOfAny(String.class, Integer.class);
        }
    }

    @Test
    void logLine_saysWhatHappenedToTheCache() {
        assertThat(CliStepResult.logLine(CLI, CliCache.Outcome.REUSED, "/a/powerai-cli.jar"))
                .isEqualTo("reusing the cached CLI 0.1.0 (sha256 " + "e".repeat(64) + ") at /a/powerai-cli.jar");
        assertThat(CliStepResult.logLine(CLI, CliCache.Outcome.REPLACED, "/a")).startsWith("replaced a cached copy");
    }
}
