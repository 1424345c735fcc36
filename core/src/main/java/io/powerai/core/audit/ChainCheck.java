package io.powerai.core.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Walks the hash chain of a log's bytes and its head file: the first record that was changed, removed, inserted or
 * reordered, or OK. Each line is checked on its own first (in parallel: a 200,000-record log is ~120 MB), on the
 * fast path of {@link CanonicalLine} when the line is written canonically, else by parsing and canonicalising it;
 * then the chain is walked in order. The rules, which scripts/verify_audit.py implements the same way:
 * <ol>
 *   <li>each line (split at '\n') is one JSON object, UTF-8, no key twice;</li>
 *   <li>its {@code seq} is an integer equal to its line number;</li>
 *   <li>its {@code hashForm} is absent (Jackson's form) or {@code "jcs"} (RFC 8785);</li>
 *   <li>its {@code hash} is the SHA-256 (lowercase hex) of the record without {@code hash}, in that form;</li>
 *   <li>its {@code prev} is the previous record's {@code hash}, 64 zeros for the first;</li>
 *   <li>the head file names the last record's {@code seq} and {@code hash}.</li>
 * </ol>
 */
final class ChainCheck {
    /** Lines per task: large enough that a task's cost dwarfs its scheduling. */
    private static final int BATCH = 4096;

    /** One line checked on its own. {@code seq} is what the line carries (for the message), null when none. */
    private record Line(boolean json, String stage, Object seq, boolean seqOk, boolean formKnown, Object form,
                        boolean hashOk, String hash, Object prev) {
        static final Line INVALID = new Line(false, null, null, false, false, null, false, null, null);
    }

    private ChainCheck() {
    }

    /** Line starts and ends ({@code ends[i]} exclusive, at the '\n' or the end of the data). */
    record Lines(int[] starts, int[] ends) {
        int count() {
            return starts.length;
        }

        static Lines of(byte[] data) {
            int count = 0;
            for (byte c : data) {
                if (c == '\n') {
                    count++;
                }
            }
            boolean unterminated = data.length > 0 && data[data.length - 1] != '\n';
            int n = count + (unterminated ? 1 : 0);
            int[] starts = new int[n];
            int[] ends = new int[n];
            int line = 0;
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    starts[line] = start;
                    ends[line++] = i;
                    start = i + 1;
                }
            }
            if (unterminated) {
                starts[line] = start;
                ends[line] = data.length;
            }
            return new Lines(starts, ends);
        }
    }

    static AuditLog.Verification verify(byte[] data, Lines lines, Path headFile) {
        int n = lines.count();
        Line[] checked = new Line[n];
        int batches = (n + BATCH - 1) / BATCH;
        IntStream.range(0, batches).parallel().forEach(batch -> {
            CanonicalLine scanner = new CanonicalLine();
            MessageDigest sha256 = sha256();
            for (int i = batch * BATCH; i < Math.min(n, (batch + 1) * BATCH); i++) {
                checked[i] = check(data, lines.starts()[i], lines.ends()[i], i + 1, scanner, sha256);
            }
        });
        String prev = AuditLog.GENESIS;
        for (int i = 0; i < n; i++) {
            int number = i + 1;
            Line line = checked[i];
            if (!line.json()) {
                return new AuditLog.Verification(false, n, "record " + number + ": not valid JSON any more (the line was changed)");
            }
            if (!line.seqOk()) {
                return new AuditLog.Verification(false, n, "record " + number + " (" + line.stage() + "): sequence number " + line.seq()
                        + " where " + number + " was expected: a record was removed, inserted or records were reordered");
            }
            if (!line.formKnown()) {
                return new AuditLog.Verification(false, n, "record " + number + " (" + line.stage() + "): hash form '" + line.form()
                        + "' is not one this powerai knows (absent or \"jcs\")");
            }
            if (!line.hashOk()) {
                return new AuditLog.Verification(false, n, "record " + number + " (" + line.stage()
                        + "): content changed (its SHA-256 no longer matches the hash it carries)");
            }
            if (!prev.equals(line.prev())) {
                return new AuditLog.Verification(false, n, "record " + number + " (" + line.stage()
                        + "): does not follow record " + (number - 1) + " (chain broken: a record was removed, inserted or reordered)");
            }
            prev = line.hash();
        }
        return head(headFile, n, prev);
    }

    private static AuditLog.Verification head(Path headFile, int n, String lastHash) {
        if (Files.exists(headFile)) {
            Map<String, Object> head;
            try {
                head = Json.readObject(headFile);
            } catch (IOException e) {
                head = null;
            }
            if (head == null) {
                return new AuditLog.Verification(false, n, "head file " + headFile + " is not valid JSON (changed)");
            }
            long headSeq = integral(head.get("seq")) ? ((Number) head.get("seq")).longValue() : -1;
            if (headSeq > n) {
                return new AuditLog.Verification(false, n, "record " + (n + 1) + ": removed (the head names record "
                        + headSeq + " but the log ends at record " + n + ")");
            }
            if (headSeq < n || !lastHash.equals(head.get("hash"))) {
                return new AuditLog.Verification(false, n, "record " + n
                        + ": does not match the head file (the last record was changed or added by hand)");
            }
        } else if (n > 0) {
            return new AuditLog.Verification(false, n, "head file " + headFile + " is missing (removed)");
        }
        return new AuditLog.Verification(true, n, null);
    }

    private static Line check(byte[] data, int from, int to, int number, CanonicalLine scanner, MessageDigest sha256) {
        if (scanner.scan(data, from, to) && scanner.hash != null) {
            HashForm form = HashForm.named(scanner.hashForm);
            boolean canonical = form == HashForm.JCS ? scanner.jcs : form == HashForm.JACKSON && scanner.jackson;
            if (canonical && scanner.hasSeq) {
                sha256.update(data, from, scanner.cutFrom - from);
                sha256.update(data, scanner.cutTo, to - scanner.cutTo);
                String computed = HexFormat.of().formatHex(sha256.digest());
                return new Line(true, scanner.stage, scanner.seq, scanner.seq == number, true, scanner.hashForm,
                        computed.equals(scanner.hash), computed, scanner.prev);
            }
        }
        return parsed(data, from, to, number);
    }

    /** The slow path: parse, canonicalise in the record's form, hash. What the fast path must always agree with. */
    private static Line parsed(byte[] data, int from, int to, int number) {
        Map<String, Object> record;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data, from, to - from)).toString();
            record = Json.parseObject(text);
        } catch (CharacterCodingException | JsonProcessingException e) {
            return Line.INVALID;
        }
        if (record == null) {
            return Line.INVALID;
        }
        String stage = String.valueOf(record.get("stage"));
        Object seq = record.get("seq");
        boolean seqOk = integral(seq) && BigInteger.valueOf(number).equals(new BigInteger(seq.toString()));
        Object formField = record.get("hashForm");
        HashForm form = HashForm.named(formField);
        Object stored = record.remove("hash");
        String computed = null;
        if (form != null) {
            try {
                computed = HexFormat.of().formatHex(sha256().digest(form.canonicalBytes(record)));
            } catch (RuntimeException e) {
                // no canonical form (NaN, a lone surrogate): the record cannot be the one that was hashed
            }
        }
        boolean hashOk = computed != null && computed.equals(stored);
        return new Line(true, stage, seq, seqOk, form != null, formField, hashOk, computed, record.get("prev"));
    }

    private static boolean integral(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger || value instanceof Short;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
