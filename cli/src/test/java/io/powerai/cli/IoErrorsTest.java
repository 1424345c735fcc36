package io.powerai.cli;

import com.fasterxml.jackson.core.JsonParseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.assertj.core.api.Assertions.assertThat;

/** Each kind of I/O error as one line naming the stage, the path and the cause (end to end: IoErrorsEndToEndTest). */
class IoErrorsTest {
    @Test
    void fileSystemErrors_nameThePathAndTheCause() {
        assertThat(IoErrors.describe("gpuTrain", new UncheckedIOException("cannot hash", new AccessDeniedException("/p/data/x.csv"))))
                .contains("gpuTrain: I/O error: /p/data/x.csv: permission denied (this user may not access it)");
        assertThat(IoErrors.describe("scoringImage", new UncheckedIOException(new NoSuchFileException("/p/.powerai/train/outputs"))))
                .contains("scoringImage: I/O error: /p/.powerai/train/outputs: no such file or directory");
        assertThat(IoErrors.describe("amlEnvSnapshot", new UncheckedIOException(new FileSystemException("/p/.powerai/environment",
                null, "Read-only file system")))).contains("amlEnvSnapshot: I/O error: /p/.powerai/environment: Read-only file system"
                + " (mounted read-only: the workspace's .powerai must be writable)");
    }

    @Test
    void aWriteError_keepsThePathOurMessageGives() {
        assertThat(IoErrors.describe("aksDeploy", new UncheckedIOException("cannot append to the audit log /p/.powerai/audit.jsonl: "
                + "No space left on device", new IOException("No space left on device"))))
                .contains("aksDeploy: I/O error: cannot append to the audit log /p/.powerai/audit.jsonl: No space left on device"
                        + " (the disk is full: free space there)");
    }

    @Test
    void notAnIoError_orBrokenJson_isLeftToTheBugPath() {
        assertThat(IoErrors.describe("gpuTrain", new IllegalStateException("bug"))).isEmpty();
        assertThat(IoErrors.describe("gpuTrain", new UncheckedIOException(new JsonParseException(null, "Unexpected character")))).isEmpty();
    }
}
