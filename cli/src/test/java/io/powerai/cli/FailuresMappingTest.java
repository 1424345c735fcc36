package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.lifecycle.Cancellation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;

import static org.assertj.core.api.Assertions.assertThat;

/** The one mapping from what a command threw to its message and exit code (Failures). */
class FailuresMappingTest {
    private final Failures failures = new Failures(System.err, new Cancellation());

    @Test
    void exitCodes_areTheExceptionsKind_anIoErrorIsTheMachines_aDefectIsOne() {
        assertThat(failures.getExitCode(new PowerAiException.InvalidInput("gpuTrain: x"))).isEqualTo(2);
        assertThat(failures.getExitCode(PowerAiException.StageFailed.bare("x"))).isEqualTo(1);
        assertThat(failures.getExitCode(PowerAiException.InfrastructureUnavailable.bare("x"))).isEqualTo(3);
        assertThat(failures.getExitCode(new UncheckedIOException(new AccessDeniedException("/w/.powerai")))).isEqualTo(3);
        assertThat(failures.getExitCode(new IllegalStateException("a defect"))).isEqualTo(1);
    }

    @Test
    void aBareMessage_getsTheRunningStageBeforeEachLine_once() {
        PowerAiException bare = PowerAiException.InvalidInput.bare("'port' must be 1-65535; got '0'\n'replicas' must be positive");

        assertThat(Failures.message(bare, "aksDeploy")).contains(
                "aksDeploy: 'port' must be 1-65535; got '0'\naksDeploy: 'replicas' must be positive");
        assertThat(bare.getMessage()).as("the exception itself names no stage").startsWith("'port'");
    }

    @Test
    void aMessageThatNamesItsStage_isPrintedWhole() {
        PowerAiException named = new PowerAiException.StageFailed("gpuTrain: the training script exited with status 1");

        assertThat(Failures.message(named, "run")).contains("gpuTrain: the training script exited with status 1");
    }

    @Test
    void anIoError_namesTheStageThePathAndTheCause_aDefectHasNoMessage() {
        assertThat(Failures.message(new UncheckedIOException("cannot write /w/x: No space left on device", new IOException("No space left on device")), "gpuTrain"))
                .contains("gpuTrain: I/O error: cannot write /w/x: No space left on device (the disk is full: free space there)");
        assertThat(Failures.message(new IllegalStateException("a defect"), "gpuTrain")).isEmpty();
    }

    @Test
    void aBareMessageFromTheCli_reachesTheUserWithItsStage() {
        CliRun run = CliRun.of("train", ".", "--pod", "sideways");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("gpuTrain: '--pod' must be 'prepare' or 'record'; got 'sideways'");
    }
}
