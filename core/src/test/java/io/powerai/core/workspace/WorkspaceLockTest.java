package io.powerai.core.workspace;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lock within one JVM; two processes, and a killed holder, are tested end to end (AbortsEndToEndTest). */
class WorkspaceLockTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T18:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void held_aSecondRunFailsAtOnce_namingTheHolder_exit3() throws Exception {
        Path ws = dir.resolve(".powerai");
        try (WorkspaceLock ignored = WorkspaceLock.acquire(ws, "gpuTrain", "powerai train .", CLOCK, false, m -> { })) {
            assertThat(Files.readString(ws.resolve(WorkspaceLock.FILE_NAME)))
                    .isEqualTo("{\"command\":\"powerai train .\",\"pid\":" + ProcessHandle.current().pid()
                            + ",\"since\":\"2026-12-06T18:00:00Z\"}\n");
            List<String> said = new ArrayList<>();
            assertThatThrownBy(() -> WorkspaceLock.acquire(ws, "scoringImage", "powerai scoring-image .", CLOCK, false, said::add))
                    .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                    .hasMessage("scoringImage: the workspace " + ws + " is in use by pid " + ProcessHandle.current().pid()
                            + " ('powerai train .') since 2026-12-06T18:00:00Z; wait for that run to end, or pass --wait-lock to wait for it")
                    .satisfies(e -> assertThat(((PowerAiException) e).exitCode()).isEqualTo(3));
            assertThat(said).isEmpty();
        }
        try (WorkspaceLock again = WorkspaceLock.acquire(ws, "gpuTrain", "powerai train .", CLOCK, false, m -> { })) {
            assertThat(again).as("released when the holder closed it").isNotNull();
        }
    }

    @Test
    void aPlantedLink_isRefused_theFileItPointsToUntouched() throws Exception {
        Path ws = dir.resolve(".powerai");
        Files.createDirectories(ws);
        Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
        Files.createSymbolicLink(ws.resolve(WorkspaceLock.FILE_NAME), precious);
        assertThatThrownBy(() -> WorkspaceLock.acquire(ws, "gpuTrain", "powerai train .", CLOCK, false, m -> { }))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("gpuTrain: " + ws.resolve("lock") + " must be a regular file (powerai's workspace lock); it is a link or"
                        + " a special file: remove it");
        assertThat(Files.readString(precious)).isEqualTo("keep me");
    }
}
