package io.powerai.core.audit;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast path says "canonical" only where the line is exactly what the record's form writes, and cuts the hash right. */
class CanonicalLineTest {
    private static final String CANONICAL = "{\"details\":{\"a\":[1,-2,0.5,true,false,null,{}],\"b\":\"x\\ny\\\"z\\\\\"},"
            + "\"hash\":\"" + "0".repeat(64) + "\",\"hashForm\":\"jcs\",\"inputs\":{},\"outputs\":{},\"prev\":\"" + "0".repeat(64)
            + "\",\"schemaVersion\":1,\"seq\":1,\"stage\":\"gpuTrain\",\"status\":\"succeeded\",\"time\":\"t\"}";

    @TempDir
    Path dir;

    private static CanonicalLine scanned(String line) {
        CanonicalLine scanner = new CanonicalLine();
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        // as the verifier takes it: canonical only when the object is the whole line
        scanner.ok = scanner.scan(bytes, 0, bytes.length) && scanner.end() == bytes.length;
        return scanner;
    }

    @Test
    void scan_canonicalLine_findsTheChainsMembers() {
        CanonicalLine line = scanned(CANONICAL);

        assertThat(line.ok).isTrue();
        assertThat(line.jcs).isTrue();
        assertThat(List.of(line.hash, line.prev, line.stage, line.hashForm)).containsExactly("0".repeat(64), "0".repeat(64), "gpuTrain", "jcs");
        assertThat(line.seq).isEqualTo(1);
        assertThat(CANONICAL.substring(line.cutFrom, line.cutTo)).isEqualTo(",\"hash\":\"" + "0".repeat(64) + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.5", "1.50", "5E-1", "5e-1", "0.50"})
    void scan_numberWrittenOtherwise_isNotJcs(String number) {
        CanonicalLine line = scanned(CANONICAL.replace("0.5", number));
        assertThat(line.ok && line.jcs).isEqualTo("0.5".equals(number));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"details\": {", "{\"details\":{\"b\":1,\"a\":2,", "{\"details\":{\"a\":1,\"a\":2,",
            "{\"details\":{\"x\":\"\\u0041\",", "{\"details\":{\"x\":\"\\/\",", "{\"details\":{\"x\":-0,", "{\"details\":{\"x\":01,",
            "{\"details\":{\"x\":37.0,", "{\"details\":{\"x\":1E+21,", "{\"details\":{\"x\":1e-6,", "{\"details\":{\"x\":tru,"})
    void scan_notCanonical_goesTheSlowWay(String start) {
        CanonicalLine line = scanned(CANONICAL.replace("{\"details\":{", start));
        assertThat(line.ok && line.jcs).isFalse();
    }

    @Test
    void scan_numbersWithAFraction_areJcsExactlyWhenEcmascriptWritesThemSo() {
        java.util.Random random = new java.util.Random(8785);
        List<String> tokens = new java.util.ArrayList<>(List.of("0.5", "0.50", "0.000001", "0.0000001", "0.0000012", "12.0", "12.25",
                "123456789012345.5", "12345678901234.5", "-0.99", "-0.0", "0.1", "100.001", "1e-7", "1.5e+300", "0.30000000000000004"));
        for (int i = 0; i < 2000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(value) && !Double.isInfinite(value)) {
                tokens.add(io.powerai.core.json.Jcs.number(value));
                tokens.add(Double.toString(value));
                tokens.add(new java.math.BigDecimal(random.nextInt(1_000_000)).movePointLeft(random.nextInt(12)).toPlainString());
            }
        }
        for (String token : tokens) {
            CanonicalLine line = scanned(CANONICAL.replace("0.5", token));
            double value = Double.parseDouble(token);
            boolean expected = io.powerai.core.json.Jcs.number(value).equals(token);
            assertThat(line.ok && line.jcs).as(token).isEqualTo(expected);
        }
    }

    @Test
    void scan_textAfterTheObject_goesTheSlowWay() {
        assertThat(scanned(CANONICAL + " ").ok).isFalse();
        assertThat(scanned(CANONICAL + "x").ok).isFalse();
        assertThat(scanned(CANONICAL.substring(0, CANONICAL.length() - 1)).ok).isFalse();
    }

    @Test
    void scan_recordsAppendedNow_takeTheFastPathAndHashAsTheSlowOne() throws Exception {
        AuditLog log = new AuditLog(dir.resolve("audit.jsonl"), Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC));
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("k", "v"), Map.of(), Map.of("metrics",
                Map.of("a", 0.99, "b", 1.0E-7, "c", 9007199254740992L, "d", -3, "e", 1.0E21, "f", 37.0),
                "text", "caf\u00e9 \u20ac \ud83d\ude00 \"q\" \\ \n\t", "list", List.of(List.of(), Map.of()))));

        String line = Files.readAllLines(log.file(), StandardCharsets.UTF_8).get(0);
        CanonicalLine scanned = scanned(line);

        assertThat(scanned.ok).isTrue();
        assertThat(scanned.jcs).isTrue();
        assertThat(scanned.jackson).as("text beyond the BMP and 1e-7 are written otherwise in the old form").isFalse();
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(bytes, 0, scanned.cutFrom);
        sha256.update(bytes, scanned.cutTo, bytes.length - scanned.cutTo);
        assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(Json.parseObject(line).get("hash"));
    }

    @Test
    void scan_oldFormRecords_areCanonicalInJacksonsFormOnly() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/io/powerai/core/audit/AuditLogTest/legacy/audit.jsonl"));

        assertThat(scanned(lines.get(0)).ok && scanned(lines.get(0)).jackson).isTrue();
        CanonicalLine training = scanned(lines.get(1));
        assertThat(training.ok && training.jackson).as("1.0E-6, 37.0 as Double.toString writes them").isTrue();
        assertThat(training.jcs).isFalse();
        assertThat(scanned(lines.get(2)).ok).as("\\u0001 and \\uD83D: escapes it leaves to the slow path").isFalse();
    }
}
