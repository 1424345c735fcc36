package io.powerai.core.stage.environment;

import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.PipelineSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When the base image's own pip matters (the probe against a real image: FailuresTest in cli). */
class BasePipProbeTest {
    @TempDir
    Path project;

    private EnvironmentSpec env(Map<String, Object> keys) throws Exception {
        Files.writeString(project.resolve("requirements.txt"), "numpy\n");
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("base_image", "127.0.0.1:5000/powerai/python-ml:bookworm");
        environment.putAll(keys);
        return PipelineSpec.from(Map.of("name", "demo", "environment", environment), project, null).environment();
    }

    @Test
    void needed_whenPipInstallsIntoTheBasesOwnPython() throws Exception {
        assertThat(BasePipProbe.needed(env(Map.of("pip_requirements", "requirements.txt")), true, false)).isTrue();
        assertThat(BasePipProbe.needed(env(Map.of("pip_requirements", "requirements.txt", "apt_packages", List.of("curl"))), true, false))
                .isTrue();
    }

    @Test
    void notNeeded_whenTheSpecBringsPip_orNothingInstallsWithPip() throws Exception {
        assertThat(BasePipProbe.needed(env(Map.of("pip_requirements", "requirements.txt", "apt_packages", List.of("python3-pip"))), true, false))
                .as("apt installs pip before pip runs").isFalse();
        assertThat(BasePipProbe.needed(env(Map.of()), false, false)).isFalse();
        assertThat(BasePipProbe.needed(env(Map.of("pip_requirements", "requirements.txt")), true, true))
                .as("a conda install brings pip").isFalse();
    }
}
