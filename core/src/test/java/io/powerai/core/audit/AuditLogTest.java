package io.powerai.core.audit;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final String CODE_DIGEST = "c0de".repeat(16);

    @TempDir
    Path dir;

    private AuditLog newLog() {
        return new AuditLog(dir.resolve("audit.jsonl"), CLOCK);
    }

    /** Three records, as a pipeline writes them: snapshot, training, scoring image. */
    private AuditLog logWithThreeRecords() {
        AuditLog log = newLog();
        log.append(new AuditLog.Entry("amlEnvSnapshot", "succeeded", Map.of("base_image", "python@sha256:" + "1".repeat(64)),
                Map.of("image", "env@sha256:" + "2".repeat(64)), Map.of("built", true)));
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("code", CODE_DIGEST, "image", "env@sha256:" + "2".repeat(64)),
                Map.of("outputs/model.pkl", "3".repeat(64)), Map.of("metrics", Map.of("accuracy", 0.97), "exitCode", 0)));
        log.append(new AuditLog.Entry("scoringImage", "succeeded", Map.of("model", "3".repeat(64)),
                Map.of("image", "score@sha256:" + "4".repeat(64)), Map.of("smokeTest", "passed")));
        return log;
    }

    private List<String> lines(AuditLog log) throws IOException {
        return new ArrayList<>(Files.readAllLines(log.file(), StandardCharsets.UTF_8));
    }

    private void rewrite(AuditLog log, List<String> lines) throws IOException {
        Files.writeString(log.file(), lines.isEmpty() ? "" : String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static Map<String, Object> parse(String line) throws IOException {
        return Json.parseObject(line);
    }

    /** SHA-256 of the record's line with its hash field cut out, computed here without the code under test. */
    private static String independentHash(String line) throws Exception {
        String hash = (String) parse(line).get("hash");
        String withoutHash = line.replace("\"hash\":\"" + hash + "\",", "");
        assertThat(withoutHash).hasSize(line.length() - ("\"hash\":\"\",".length() + 64));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(withoutHash.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void verify_threeAppendedRecords_isOk() {
        AuditLog log = logWithThreeRecords();

        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(true, 3, null));
    }

    @Test
    void verify_noLogYet_isOkWithNoRecords() {
        assertThat(newLog().verify()).isEqualTo(new AuditLog.Verification(true, 0, null));
    }

    @Test
    void append_returnsSequenceAndTheHashWrittenToTheLineAndHead() throws Exception {
        AuditLog log = newLog();
        AuditLog.Appended first = log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of()));
        AuditLog.Appended second = log.append(new AuditLog.Entry("gpuTrain", "failed", Map.of(), Map.of(), Map.of()));

        assertThat(first.seq()).isEqualTo(1);
        assertThat(second.seq()).isEqualTo(2);
        assertThat(parse(lines(log).get(1)).get("hash")).isEqualTo(second.hash());
        assertThat(Files.readString(log.headFile())).isEqualTo("{\"hash\":\"" + second.hash() + "\",\"seq\":2}\n");
        assertThat(log.headFile().getFileName()).hasToString("audit.jsonl.head");
    }

    @Test
    void records_formAHashChainFromGenesis() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);

        assertThat(lines).hasSize(3);
        Map<String, Object> r1 = parse(lines.get(0));
        Map<String, Object> r2 = parse(lines.get(1));
        Map<String, Object> r3 = parse(lines.get(2));
        assertThat(r1.get("prev")).isEqualTo("0".repeat(64)).isEqualTo(AuditLog.GENESIS);
        assertThat(r2.get("prev")).isEqualTo(r1.get("hash"));
        assertThat(r3.get("prev")).isEqualTo(r2.get("hash"));
        assertThat(List.of(r1.get("seq"), r2.get("seq"), r3.get("seq"))).containsExactly(1, 2, 3);
        for (String line : lines) {
            assertThat(parse(line).get("hash")).as("hash of %s", line).isEqualTo(independentHash(line));
        }
        assertThat(List.of(r1.get("hash"), r2.get("hash"), r3.get("hash"))).doesNotHaveDuplicates();
    }

    @Test
    void file_isCanonicalJsonWithSortedKeysOneRecordPerLine() throws Exception {
        AuditLog log = newLog();
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("z", "1", "a", "2"), Map.of("m", "3"),
                Map.of("metrics", Map.of("loss", 0.5, "accuracy", 1), "args", List.of("--b", "--a"))));

        String text = Files.readString(log.file(), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").doesNotContain("\r");
        String line = text.substring(0, text.length() - 1);
        String hash = (String) parse(line).get("hash");
        assertThat(line).isEqualTo("{\"details\":{\"args\":[\"--b\",\"--a\"],\"metrics\":{\"accuracy\":1,\"loss\":0.5}},"
                + "\"hash\":\"" + hash + "\",\"hashForm\":\"jcs\",\"inputs\":{\"a\":\"2\",\"z\":\"1\"},\"outputs\":{\"m\":\"3\"},"
                + "\"prev\":\"" + "0".repeat(64) + "\",\"schemaVersion\":1,\"seq\":1,\"stage\":\"gpuTrain\","
                + "\"status\":\"succeeded\",\"time\":\"2026-01-02T03:04:05Z\"}");
        assertThat(hash).matches("[0-9a-f]{64}");
    }

    @Test
    void tampering_oneByteOfAMiddleRecordsDigest_isReportedAtThatRecord() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        String tampered = lines.get(1).replace(CODE_DIGEST, "d" + CODE_DIGEST.substring(1));
        assertThat(tampered).isNotEqualTo(lines.get(1)).hasSameSizeAs(lines.get(1));
        lines.set(1, tampered);
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).startsWith("record 2 (gpuTrain): content changed");
    }

    @Test
    void tampering_statusOfAMiddleRecord_isReportedAtThatRecord() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.set(1, lines.get(1).replace("\"status\":\"succeeded\"", "\"status\":\"succeedef\""));
        rewrite(log, lines);

        assertThat(log.verify().problem()).startsWith("record 2 (gpuTrain): content changed");
    }

    @Test
    void tampering_middleRecordRemoved_isReportedAtItsPlace() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.remove(1);
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.records()).isEqualTo(2);
        assertThat(v.problem()).startsWith("record 2 (scoringImage): sequence number 3 where 2 was expected");
    }

    @Test
    void tampering_middleRecordRemovedAndRenumbered_breaksTheChain() throws Exception {
        // Whoever renumbers must re-hash too; then the chain ('prev') still gives the removal away.
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        Map<String, Object> third = parse(lines.get(2));
        third.put("seq", 2);
        third.remove("hash");
        third.put("hash", io.powerai.core.json.Digests.sha256(Json.canonicalBytes(third)));
        lines.set(2, Json.canonical(third));
        lines.remove(1);
        rewrite(log, lines);

        assertThat(log.verify().problem()).startsWith("record 2 (scoringImage): does not follow record 1");
    }

    @Test
    void tampering_twoRecordsSwapped_isReportedAtTheFirstOfThem() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        String second = lines.get(1);
        lines.set(1, lines.get(2));
        lines.set(2, second);
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).startsWith("record 2 (scoringImage): sequence number 3 where 2 was expected");
    }

    @Test
    void tampering_firstTwoRecordsSwapped_isReportedAtRecord1() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.add(0, lines.remove(1));
        rewrite(log, lines);

        assertThat(log.verify().problem()).startsWith("record 1 (gpuTrain): sequence number 2 where 1 was expected");
    }

    @Test
    void tampering_lastRecordRemoved_isCaughtByTheHeadFile() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.remove(2);
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).isEqualTo("record 3: removed (the head names record 3 but the log ends at record 2)");
    }

    @Test
    void tampering_lastRecordChanged_isReportedAtTheLastRecord() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.set(2, lines.get(2).replace("\"smokeTest\":\"passed\"", "\"smokeTest\":\"failed\""));
        rewrite(log, lines);

        assertThat(log.verify().problem()).startsWith("record 3 (scoringImage): content changed");
    }

    @Test
    void tampering_lastRecordChangedAndReHashed_isCaughtByTheHeadFile() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        Map<String, Object> last = parse(lines.get(2));
        last.put("status", "failed");
        last.remove("hash");
        last.put("hash", io.powerai.core.json.Digests.sha256(Json.canonicalBytes(last)));
        lines.set(2, Json.canonical(last));
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).startsWith("record 3: does not match the head file");
    }

    @Test
    void tampering_recordAddedByHand_isCaughtByTheHeadFile() throws Exception {
        AuditLog log = logWithThreeRecords();
        byte[] head = Files.readAllBytes(log.headFile());
        log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));
        Files.write(log.headFile(), head);

        assertThat(log.verify().problem()).startsWith("record 4: does not match the head file");
    }

    @Test
    void tampering_headFileRemoved_isReported() throws Exception {
        AuditLog log = logWithThreeRecords();
        Files.delete(log.headFile());

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).isEqualTo("head file " + log.headFile() + " is missing (removed)");
    }

    @Test
    void tampering_headFileGarbled_isReported() throws Exception {
        AuditLog log = logWithThreeRecords();
        Files.writeString(log.headFile(), "{\"seq\":3,");

        assertThat(log.verify().problem()).contains("is not valid JSON");
    }

    @Test
    void tampering_aLineMadeInvalidJson_isReportedAtThatRecord() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.set(1, lines.get(1).substring(0, lines.get(1).length() - 1));
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).isEqualTo("record 2: not valid JSON any more (the line was changed)");
    }

    @Test
    void tampering_textAppendedToARecordLine_isReportedAtThatRecord() throws Exception {
        // The hash covers the parsed record; text after the JSON object must not slip past as "still valid".
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.set(1, lines.get(1) + " {\"note\":\"approved by admin\"}");
        rewrite(log, lines);

        AuditLog.Verification v = log.verify();

        assertThat(v.ok()).isFalse();
        assertThat(v.problem()).isEqualTo("record 2: not valid JSON any more (the line was changed)");
    }

    @Test
    void append_afterReopening_continuesTheChain() throws Exception {
        logWithThreeRecords();
        AuditLog reopened = newLog();

        AuditLog.Appended fourth = reopened.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));

        assertThat(fourth.seq()).isEqualTo(4);
        List<String> lines = lines(reopened);
        assertThat(parse(lines.get(3)).get("prev")).isEqualTo(parse(lines.get(2)).get("hash"));
        assertThat(reopened.verify()).isEqualTo(new AuditLog.Verification(true, 4, null));
    }

    @Test
    void append_afterAnEarlierRecordWasDamaged_continuesFromTheLastRecordAndVerifyStillNamesTheDamage() throws Exception {
        // append never checked the chain (verify does): it continues from the last record, whatever came before it
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        lines.set(1, lines.get(1).substring(0, lines.get(1).length() - 1));
        rewrite(log, lines);

        AuditLog.Appended fourth = log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));

        assertThat(fourth.seq()).isEqualTo(4);
        List<String> after = lines(log);
        assertThat(after).hasSize(4);
        assertThat(after.subList(0, 3)).isEqualTo(lines);
        assertThat(parse(after.get(3)).get("prev")).isEqualTo(parse(lines.get(2)).get("hash"));
        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(false, 4,
                "record 2: not valid JSON any more (the line was changed)"));
    }

    @Test
    void append_onATornLastLine_isRefusedAndChangesNothing() throws Exception {
        // a build killed while a record was written leaves part of a line: append refuses to chain onto it
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        String torn = String.join("\n", lines.subList(0, 2)) + "\n" + lines.get(2).substring(0, 40);
        Files.writeString(log.file(), torn, StandardCharsets.UTF_8);
        String head = Files.readString(log.headFile());

        assertThatThrownBy(() -> log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of())))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("cannot append to the audit log " + log.file() + ": ");
        assertThat(Files.readString(log.file())).isEqualTo(torn);
        assertThat(Files.readString(log.headFile())).isEqualTo(head);
    }

    @Test
    void append_afterACompleteLastRecordWithoutItsLineBreak_startsANewLine_andTheLogVerifies() throws Exception {
        // before: the new record was written onto the last record's line, and the log no longer verified
        AuditLog log = logWithThreeRecords();
        String text = Files.readString(log.file());
        Files.writeString(log.file(), text.stripTrailing(), StandardCharsets.UTF_8);

        AuditLog.Appended fourth = log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));

        assertThat(fourth.seq()).isEqualTo(4);
        assertThat(Files.readString(log.file()).lines().toList()).hasSize(4);
        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(true, 4, null));
    }

    @Test
    void append_afterBlankLinesAndWindowsLineEnds_continuesFromTheLastRecord() throws Exception {
        AuditLog log = logWithThreeRecords();
        List<String> lines = lines(log);
        Files.writeString(log.file(), String.join("\r\n", lines) + "\r\n  \n\n", StandardCharsets.UTF_8);

        AuditLog.Appended fourth = log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of()));

        assertThat(fourth.seq()).isEqualTo(4);
        List<Map<String, Object>> records = new ArrayList<>();
        for (String line : Files.readString(log.file()).lines().filter(line -> !line.isBlank()).toList()) {
            records.add(parse(line));
        }
        assertThat(records).hasSize(4);
        assertThat(records.get(3).get("prev")).isEqualTo(records.get(2).get("hash"));
    }

    @Test
    void append_afterALastRecordLongerThanOneReadBlock_continuesFromIt() throws Exception {
        AuditLog log = newLog();
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of("note", "x".repeat(200_000))));

        AuditLog.Appended second = log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of()));

        assertThat(second.seq()).isEqualTo(2);
        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(true, 2, null));
    }

    @Test
    void append_concurrentlyFromSeveralThreads_keepsAValidChain() throws Exception {
        AuditLog log = newLog();
        assertThat(appendConcurrently(8, 10, i -> log)).isTrue();

        assertThat(log.verify()).isEqualTo(new AuditLog.Verification(true, 80, null));
        assertThat(lines(log)).hasSize(80);
    }

    @Test
    void append_concurrentlyThroughSeveralInstancesOfOneFile_keepsAValidChain() throws Exception {
        // Two stages of one workspace in one JVM (parallel branches in Jenkins) each open their own AuditLog.
        assertThat(appendConcurrently(4, 10, i -> newLog())).isTrue();

        assertThat(newLog().verify()).isEqualTo(new AuditLog.Verification(true, 40, null));
    }

    private boolean appendConcurrently(int threads, int perThread, java.util.function.IntFunction<AuditLog> logOfThread)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                AuditLog log = logOfThread.apply(t);
                futures.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("thread", String.valueOf(thread)),
                                Map.of("i", String.valueOf(i)), Map.of()));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(20, TimeUnit.SECONDS);
            }
            return true;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void entry_copiesItsMapsSorted() {
        AuditLog.Entry entry = new AuditLog.Entry("s", "succeeded", Map.of("b", "1", "a", "2"), Map.of(), Map.of());

        assertThat(entry.inputs().keySet()).containsExactly("a", "b");
    }
}
