package io.powerai.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A bare message leaves its stage to the face; one that names its stage is shown whole. */
class PowerAiExceptionTest {

    @Test
    void bare_getsTheStageBeforeEveryLine_onlyWhereTheFaceShowsIt() {
        PowerAiException e = PowerAiException.InvalidInput.bare("'port' must be 1-65535\n'replicas' must be positive");

        assertThat(e.bare()).isTrue();
        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.messageIn("aksDeploy")).isEqualTo("aksDeploy: 'port' must be 1-65535\naksDeploy: 'replicas' must be positive");
        assertThat(e.getMessage()).isEqualTo("'port' must be 1-65535\n'replicas' must be positive");
        assertThat(PowerAiException.StageFailed.bare("x").exitCode()).isEqualTo(1);
        assertThat(PowerAiException.InfrastructureUnavailable.bare("x").exitCode()).isEqualTo(3);
    }

    @Test
    void aMessageNamingItsStage_isWhole() {
        PowerAiException e = new PowerAiException.StageFailed("gpuTrain: the script exited with status 1");

        assertThat(e.bare()).isFalse();
        assertThat(e.messageIn("run")).isEqualTo("gpuTrain: the script exited with status 1");
    }
}
