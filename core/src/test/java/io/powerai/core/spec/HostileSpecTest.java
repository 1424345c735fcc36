package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Finding 9 of issue 14: oversized YAML, YAML aliases and bad registries end in exit 2 with one line, quickly. */
class HostileSpecTest {
    @TempDir
    Path project;

    private String problems(String yaml, String registryOverride) throws Exception {
        Path file = Files.writeString(project.resolve(PipelineSpec.FILE_NAME), yaml);
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class,
                () -> PipelineSpec.read(file, registryOverride));
        assertThat(e).as("reading the spec must fail with InvalidInput").isNotNull();
        return e.getMessage();
    }

    @Test
    @Timeout(5)
    void aTenMegabyteOneLineValue_isRefusedBySizeBeforeParsing() throws Exception {
        String message = problems("name: demo\nregistry: " + "a".repeat(10 * 1024 * 1024) + "\n", null);

        assertThat(message).startsWith("powerai.yaml: ").contains("over the 1048576 bytes a YAML file may have");
    }

    @Test
    void aliases_areRefused_notHandedOnAsTheirName() throws Exception {
        String message = problems("name: demo\ntrain:\n  script: &s train.py\n  args: [*s]\n", null);

        assertThat(message).contains("powerai.yaml").contains("line 4: alias '*s'").contains("anchors and aliases");
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        assertThat(problems("name: demo\nx: &b {script: train.py}\ntrain:\n  <<: *b\n", null)).contains("b'").contains("anchors and aliases");
    }

    @Test
    void registry_startingWithADash_orPortOutOfRange_isInvalidInput() throws Exception {
        assertThat(problems("name: demo\nregistry: -q\n", null)).isEqualTo(
                "powerai.yaml: 'registry' must be a registry host[:port][/namespace] (port 1-65535), e.g. 127.0.0.1:5000 or"
                        + " myacr.azurecr.io; got '-q'");
        assertThat(problems("name: demo\nregistry: 127.0.0.1:99999\n", null)).contains("'registry'").contains("got '127.0.0.1:99999'");
        assertThat(problems("name: demo\n", "--insecure")).contains("'registry'").contains("got '--insecure'");
        assertThat(problems("name: demo\nenvironment:\n  base_image: 127.0.0.1:99999/x:1\n", null))
                .contains("amlEnvSnapshot: 'base_image'").contains(":port (1-65535)");
    }
}
