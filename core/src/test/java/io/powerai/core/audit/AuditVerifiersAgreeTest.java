package io.powerai.core.audit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai audit verify} (AuditLog.verify) and the standalone scripts/verify_audit.py (Python's standard
 * library, nothing of powerai's) run on the same logs and must give the same verdict and name the same first
 * problem, for every way of tampering. Each log is mixed: the old-form records written by the version before RFC
 * 8785 (the legacy resource) followed by records this version appends.
 */
class AuditVerifiersAgreeTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path VERIFIER = Path.of("../scripts/verify_audit.py").toAbsolutePath().normalize();
    private static final Path LEGACY = Path.of("src/test/resources/io/powerai/core/audit/AuditLogTest/legacy");

    @TempDir
    Path dir;

    @BeforeAll
    static void requirePython() {
        String reason = PYTHON + " is missing (Debian's python3; scripts/infra.sh installs it)";
        if (!Files.isExecutable(PYTHON) && "required".equals(System.getProperty("powerai.e2e"))) {
            throw new AssertionError(reason);
        }
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), reason);
    }

    /** Each case: its name, what it does to the lines (7 records: 4 old-form, 3 new), and whether the log stays intact. */
    static Stream<Arguments> cases() {
        return Stream.of(
                tamper("intact", l -> { }, true),
                tamper("old record's field changed", l -> l.set(0, l.get(0).replace("\"packages\":203", "\"packages\":204")), false),
                tamper("old record's double changed", l -> l.set(1, l.get(1).replace("\"tiny\":1.0E-6", "\"tiny\":1.0E-7")), false),
                tamper("old record's double written otherwise, same value", l -> l.set(1, l.get(1).replace("\"tiny\":1.0E-6", "\"tiny\":0.000001")), true),
                tamper("new record's field changed", l -> l.set(5, l.get(5).replace("\"status\":\"succeeded\"", "\"status\":\"failed\"")), false),
                tamper("new record's number written otherwise, same value", l -> l.set(4, l.get(4).replace("0.000001", "1e-6")), true),
                tamper("new record's text re-escaped, same value", l -> l.set(4, l.get(4).replace("caf\u00e9", "caf\\u00e9")), true),
                tamper("reformatted with spaces", l -> l.replaceAll(s -> s.replace(",\"", ", \"")), true),
                tamper("record removed", l -> l.remove(2), false),
                tamper("last record removed", l -> l.remove(6), false),
                tamper("records reordered", l -> l.add(3, l.remove(4)), false),
                tamper("line truncated", l -> l.set(4, l.get(4).substring(0, l.get(4).length() - 12)), false),
                tamper("garbage appended to a line", l -> l.set(5, l.get(5) + "{}"), false),
                tamper("garbage line appended", l -> l.add("garbage"), false),
                tamper("blank line inserted", l -> l.add(2, ""), false),
                tamper("prev changed", l -> l.set(5, l.get(5).replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + "f".repeat(64) + "\"")), false),
                tamper("hashForm removed", l -> l.set(4, l.get(4).replace("\"hashForm\":\"jcs\",", "")), false),
                tamper("hashForm unknown", l -> l.set(4, l.get(4).replace("\"hashForm\":\"jcs\"", "\"hashForm\":\"x\"")), false),
                tamper("key twice", l -> l.set(5, l.get(5).replace("{\"details\":{", "{\"details\":{},\"details\":{")), false),
                tamper("NaN", l -> l.set(5, l.get(5).replace("{\"details\":{", "{\"details\":{\"x\":NaN,")), false),
                tamper("lone surrogate", l -> l.set(5, l.get(5).replace("{\"details\":{", "{\"details\":{\"x\":\"\\ud800\",")), false),
                tamper("seq a double", l -> l.set(5, l.get(5).replace("\"seq\":6", "\"seq\":6.0")), false),
                tamper("head changed", null, false),
                tamper("head removed", null, false),
                tamper("head garbled", null, false));
    }

    private static Arguments tamper(String name, Consumer<List<String>> change, boolean intact) {
        return Arguments.of(name, change, intact);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothVerifiers_agree(String name, Consumer<List<String>> change, boolean intact) throws Exception {
        AuditLog log = mixedLog();
        List<String> lines = new ArrayList<>(Files.readAllLines(log.file(), StandardCharsets.UTF_8));
        if (change != null) {
            change.accept(lines);
            Files.writeString(log.file(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        }
        switch (name) {
            case "head changed" -> Files.writeString(log.headFile(), "{\"hash\":\"" + "e".repeat(64) + "\",\"seq\":7}\n");
            case "head removed" -> Files.delete(log.headFile());
            case "head garbled" -> Files.writeString(log.headFile(), "{\"hash\":");
            default -> { }
        }

        AuditLog.Verification java = log.verify();
        Process python = new ProcessBuilder(PYTHON.toString(), VERIFIER.toString(), dir.toString()).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(java.ok()).as("powerai's verdict: %s", java).isEqualTo(intact);
        assertThat(python.exitValue()).as(output).isEqualTo(intact ? 0 : 1);
        String expected = intact ? "verify_audit: OK, " + java.records() + " record(s), chain intact (" + log.file() + ")"
                : "verify_audit: FAILED at " + java.problem() + " (" + log.file() + ")";
        assertThat(output).isEqualTo(expected);
    }

    private AuditLog mixedLog() throws Exception {
        Files.copy(LEGACY.resolve("audit.jsonl"), dir.resolve("audit.jsonl"));
        Files.copy(LEGACY.resolve("audit.jsonl.head"), dir.resolve("audit.jsonl.head"));
        AuditLog log = new AuditLog(dir.resolve("audit.jsonl"), Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC));
        Map<String, Object> metrics = new TreeMap<>(Map.of("tiny", 1.0E-6, "huge", 1.0E21, "n", 37.0, "accuracy", 0.99));
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("code", "c".repeat(64)), Map.of("outputs/model.pkl", "a".repeat(64)),
                Map.of("metrics", metrics, "note", "caf\u00e9 \u20ac \ud83d\ude00 \u0001 \"q\"\n", "args", List.of("--C", "1.0"))));
        log.append(new AuditLog.Entry("scoringImage", "succeeded", Map.of("model", "a".repeat(64)), Map.of(), Map.of("smokeTest", "passed")));
        log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of("target", "local", "pid", 4211)));
        return log;
    }
}
