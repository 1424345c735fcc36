package io.powerai.core.audit;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records hashed over RFC 8785 (hashForm "jcs") after records of the old form (Jackson's, no hashForm), as a log
 * written by powerai before this change continues: {@code legacy/audit.jsonl} was written by that version's
 * AuditLog (doubles, control characters, text beyond the BMP in it) and is kept as it was.
 */
class AuditLogMigrationTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private AuditLog legacyCopy() throws Exception {
        Path source = Path.of("src/test/resources/io/powerai/core/audit/AuditLogTest/legacy");
        Files.copy(source.resolve("audit.jsonl"), dir.resolve("audit.jsonl"));
        Files.copy(source.resolve("audit.jsonl.head"), dir.resolve("audit.jsonl.head"));
        return new AuditLog(dir.resolve("audit.jsonl"), CLOCK);
    }

    private List<String> lines() throws Exception {
        return new ArrayList<>(Files.readAllLines(dir.resolve("audit.jsonl"), StandardCharsets.UTF_8));
    }

    private void rewrite(List<String> lines) throws Exception {
        Files.writeString(dir.resolve("audit.jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static Map<String, Object> metrics() {
        Map<String, Object> metrics = new TreeMap<>();
        metrics.put("tiny", 1.0E-6);
        metrics.put("huge", 1.0E21);
        metrics.put("support_vectors", 37.0);
        metrics.put("accuracy", 0.99);
        return metrics;
    }

    @Test
    void verify_logWrittenByTheVersionBefore_isOk() throws Exception {
        assertThat(legacyCopy().verify()).isEqualTo(new AuditLog.Verification(true, 4, null));
    }

    @Test
    void append_afterOldFormRecords_continuesTheChainInTheNewForm() throws Exception {
        AuditLog log = legacyCopy();
        String lastOldHash = (String) Json.parseObject(lines().get(3)).get("hash");

        AuditLog.Appended appended = log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("code", "c".repeat(64)),
                Map.of(), Map.of("metrics", metrics(), "note", "caf\u00e9 \ud83d\ude00 \u0001")));

        assertThat(appended.seq()).isEqualTo(5);
        Map<String, Object> fifth = Json.parseObject(lines().get(4));
        assertThat(fifth.get("prev")).isEqualTo(lastOldHash);
        assertThat(fifth.get("hashForm")).isEqualTo("jcs");
        assertThat(Json.parseObject(lines().get(3))).doesNotContainKey("hashForm");
        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(true, 5, null));
    }

    @Test
    void append_writesRfc8785Numbers_andHashesTheLineWithoutItsHash() throws Exception {
        AuditLog log = legacyCopy();
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of("metrics", metrics(),
                "note", "caf\u00e9 \ud83d\ude00 \u0001")));

        String line = lines().get(4);
        assertThat(line).contains("\"metrics\":{\"accuracy\":0.99,\"huge\":1e+21,\"support_vectors\":37,\"tiny\":0.000001}")
                .contains("\"note\":\"caf\u00e9 \ud83d\ude00 \\u0001\"");
        String hash = (String) Json.parseObject(line).get("hash");
        String withoutHash = line.replace(",\"hash\":\"" + hash + "\"", "");
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(withoutHash.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(hash);
    }

    @Test
    void verify_oldRecordChangedInAMixedLog_isReportedAtThatRecord() throws Exception {
        AuditLog log = legacyCopy();
        log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));
        List<String> lines = lines();
        lines.set(1, lines.get(1).replace("\"tiny\":1.0E-6", "\"tiny\":1.0E-7"));
        rewrite(lines);

        assertThat(log.verify().problem()).startsWith("record 2 (gpuTrain): content changed");
    }

    @Test
    void verify_newRecordsHashFormRemoved_isContentChanged() throws Exception {
        AuditLog log = legacyCopy();
        log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));
        List<String> lines = lines();
        lines.set(4, lines.get(4).replace("\"hashForm\":\"jcs\",", ""));
        rewrite(lines);

        assertThat(log.verify().problem()).startsWith("record 5 (aksDeploy): content changed");
    }

    @Test
    void verify_unknownHashForm_isNamed() throws Exception {
        AuditLog log = legacyCopy();
        log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));
        List<String> lines = lines();
        lines.set(4, lines.get(4).replace("\"hashForm\":\"jcs\"", "\"hashForm\":\"cbor\""));
        rewrite(lines);

        assertThat(log.verify().problem()).isEqualTo("record 5 (aksDeploy): hash form 'cbor' is not one this powerai knows (absent or \"jcs\")");
    }

    @Test
    void verify_recordsRewrittenWithSpacesButTheSameContent_isOk() throws Exception {
        // not canonical any more, so the slow path parses and canonicalises them: the content, not the bytes, is hashed
        AuditLog log = legacyCopy();
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of("metrics", metrics())));
        List<String> lines = lines();
        lines.set(1, lines.get(1).replace(",", ", ").replace("\"tiny\": 1.0E-6", "\"tiny\": 0.000001"));
        lines.set(4, lines.get(4).replace("{\"", "{ \"").replace("0.000001", "1e-6"));
        rewrite(lines);

        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(true, 5, null));
    }

    @Test
    void records_readOldAndNewFormsIntoTheOneRecordType() throws Exception {
        AuditLog log = legacyCopy();
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("code", "c".repeat(64)), Map.of(), Map.of("metrics", metrics())));

        List<AuditRecord> records = log.records();

        assertThat(records).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(records).extracting(AuditRecord::hashForm).containsExactly(null, null, null, null, "jcs");
        assertThat(records.get(0).inputs()).containsKey("base_image");
        assertThat(records.get(1).details().get("metrics")).isEqualTo(Map.of("huge", 1.0E21, "loss", -0.125,
                "support_vectors", 37.0, "test_accuracy", 0.99, "tiny", 1.0E-6));
        assertThat(records.get(2).details().get("failure")).asString().contains("caf\u00e9 \u20ac \ud83d\ude00");
        assertThat(records.get(4).prev()).isEqualTo(records.get(3).hash());
        assertThat(records.get(4).schemaVersion()).isEqualTo(1);
        assertThat(records.get(4).entry().inputs()).isEqualTo(Map.of("code", "c".repeat(64)));
    }

    @Test
    void lines_keepAnUnreadableLineInItsPlace() throws Exception {
        AuditLog log = legacyCopy();
        List<String> lines = lines();
        lines.set(1, "{not json");
        rewrite(lines);

        assertThat(log.lines()).extracting(AuditLog.Line::number).containsExactly(1, 2, 3, 4);
        assertThat(log.lines().get(1).record()).isNull();
        assertThat(log.records()).extracting(AuditRecord::seq).containsExactly(1L, 3L, 4L);
    }
}
