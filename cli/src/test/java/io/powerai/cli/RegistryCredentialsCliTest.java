package io.powerai.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pipeline's registry credentials as the CLI reads them: both variables or neither. */
class RegistryCredentialsCliTest {
    @TempDir
    Path tmp;

    @Test
    void aUserNameWithoutPassword_exit2_beforeAnythingRuns() throws Exception {
        Path project = LocalInfrastructure.copyExample(tmp, "svm-credentials-half", 8890);
        CliRun run = CliRun.with(Map.of("POWERAI_REGISTRY_USERNAME", "ci-user", "POWERAI_REGISTRY_PASSWORD", ""),
                "snapshot", project.toString());
        run.assertOneLineError(2, "POWERAI_REGISTRY_USERNAME and POWERAI_REGISTRY_PASSWORD must be set together",
                "got only POWERAI_REGISTRY_USERNAME");
        assertThat(run.out()).isEmpty();
    }
}
