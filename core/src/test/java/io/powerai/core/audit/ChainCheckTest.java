package io.powerai.core.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The log streamed in chunks and checked in parallel parts gives the verdict of one pass over the whole file. */
class ChainCheckTest {
    @TempDir
    Path dir;

    private AuditLog logOf(int records) {
        AuditLog log = new AuditLog(dir.resolve("audit.jsonl"), Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC));
        for (int i = 0; i < records; i++) {
            // records of different lengths, one longer than the smallest chunk below
            log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("code", "c".repeat(64)), Map.of(),
                    Map.of("i", i, "pad", "x".repeat(i == 7 ? 3000 : i * 13 % 200), "accuracy", 0.5 + i / 100.0)));
        }
        return log;
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {300, 1000, 4096, 1 << 20})
    void verify_inSmallChunksAndParts_isOkAndFindsTheAnchors(int chunk) throws Exception {
        AuditLog log = logOf(20);
        List<String> lines = Files.readAllLines(log.file(), StandardCharsets.UTF_8);

        ChainCheck.Outcome outcome = ChainCheck.verify(log.file(), log.headFile(), Set.of(1L, 8L, 20L), chunk, 100);

        assertThat(outcome.verification()).isEqualTo(new AuditLog.Verification(true, 20, null));
        assertThat(outcome.found().get(8L)[1]).isEqualTo(lines.get(7).replaceAll(".*\"hash\":\"([0-9a-f]{64})\".*", "$1"));
        assertThat(outcome.found()).containsOnlyKeys(1L, 8L, 20L);
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {300, 1000, 4096})
    void verify_inSmallChunks_reportsTheFirstProblem(int chunk) throws Exception {
        AuditLog log = logOf(20);
        List<String> lines = new ArrayList<>(Files.readAllLines(log.file(), StandardCharsets.UTF_8));
        lines.set(12, lines.get(12).replace("\"status\":\"succeeded\"", "\"status\":\"failed\""));
        lines.set(15, "garbage");
        Files.writeString(log.file(), String.join("\n", lines), StandardCharsets.UTF_8);

        assertThat(ChainCheck.verify(log.file(), log.headFile(), Set.of(), chunk, 100).verification().problem())
                .startsWith("record 13 (gpuTrain): content changed");
        assertThat(log.verify().records()).isEqualTo(20);
    }

    @Test
    void verify_lastLineWithoutNewline_isRead() throws Exception {
        AuditLog log = logOf(3);
        String text = Files.readString(log.file());
        Files.writeString(log.file(), text.substring(0, text.length() - 1));

        assertThat(ChainCheck.verify(log.file(), log.headFile(), Set.of(), 300, 100).verification())
                .isEqualTo(new AuditLog.Verification(true, 3, null));
    }
}
