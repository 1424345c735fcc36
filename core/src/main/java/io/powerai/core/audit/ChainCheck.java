package io.powerai.core.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Walks the hash chain of a log and its head file: the first record that was changed, removed, inserted or
 * reordered, or OK. The log is read in chunks; each chunk's lines are checked on their own first (in parallel: a
 * 200,000-record log is ~120 MB), on the fast path of {@link CanonicalLine} when a line is written canonically, else
 * by parsing and canonicalising it; then they are walked in order. The rules, which scripts/verify_audit.py implements the same way:
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
    /** Bytes read at a time: whole lines of it are checked, split into one part per processor. */
    private static final int CHUNK = 8 << 20;
    /** The smallest part worth a task of its own. */
    private static final int MIN_PART = 256 << 10;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** One line checked on its own. {@code seq} is what the line carries (for the message), null when none. */
    private record Line(boolean json, String stage, Object seq, boolean formKnown, Object form, boolean hashOk, String hash,
                        Object prev) {
        static final Line INVALID = new Line(false, null, null, false, null, false, null, null);

        boolean seqOk(int n) {
            if (seq instanceof Long value) {
                return value == n;
            }
            return integral(seq) && BigInteger.valueOf(n).equals(new BigInteger(seq.toString()));
        }
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

    /** What {@link #verify} found: the verdict, and the stage and hash of each line whose number was asked for. */
    record Outcome(AuditLog.Verification verification, Map<Long, String[]> found) {
    }

    /**
     * Streams the log in chunks of whole lines (never the whole ~120 MB at once), checks each chunk's lines in
     * parallel, walks them in order, and stops at the first problem. {@code wanted}: the numbers of the lines whose
     * stage and hash the caller needs (the result files' anchors).
     */
    static Outcome verify(Path file, Path headFile, Set<Long> wanted) throws IOException {
        return verify(file, headFile, wanted, CHUNK, MIN_PART);
    }

    /** As {@link #verify(Path, Path, Set)}, in chunks of {@code chunk} bytes and parts of at least {@code minPart}. */
    static Outcome verify(Path file, Path headFile, Set<Long> wanted, int chunk, int minPart) throws IOException {
        Walk walk = new Walk(wanted, minPart);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                // one byte more than a chunk: room for the '\n' after the last line of the file (see CanonicalLine)
                byte[] buffer = new byte[chunk + 1];
                int filled = 0;
                while (true) {
                    int read = channel.read(ByteBuffer.wrap(buffer, filled, buffer.length - 1 - filled));
                    if (read > 0) {
                        filled += read;
                        if (filled < buffer.length - 1) {
                            continue;
                        }
                    }
                    if (read < 0) {
                        buffer[filled] = '\n';
                        walk.lines(buffer, 0, filled);
                        break;
                    }
                    int lastNewline = filled - 1;
                    while (lastNewline >= 0 && buffer[lastNewline] != '\n') {
                        lastNewline--;
                    }
                    if (lastNewline < 0) {
                        // one line longer than the buffer: make room for it
                        buffer = Arrays.copyOf(buffer, (buffer.length - 1) * 2 + 1);
                        continue;
                    }
                    if (!walk.lines(buffer, 0, lastNewline + 1)) {
                        break;
                    }
                    filled -= lastNewline + 1;
                    System.arraycopy(buffer, lastNewline + 1, buffer, 0, filled);
                }
            }
        }
        AuditLog.Verification verification = walk.problem != null ? walk.problem : head(headFile, walk.number, walk.prev);
        return new Outcome(verification, walk.found);
    }

    /** The chain walked in order across chunks: where it stands, and the first problem. */
    private static final class Walk {
        final Set<Long> wanted;
        final int minPart;
        final Map<Long, String[]> found = new HashMap<>();
        String prev = AuditLog.GENESIS;
        int number;
        AuditLog.Verification problem;

        Walk(Set<Long> wanted, int minPart) {
            this.wanted = wanted;
            this.minPart = minPart;
        }

        /** The lines of {@code data[from, to)} (each ended by '\n', but the last line of the file); false once broken. */
        boolean lines(byte[] data, int from, int to) {
            int parts = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), (to - from) / minPart));
            int[] bounds = new int[parts + 1];
            bounds[0] = from;
            bounds[parts] = to;
            for (int p = 1; p < parts; p++) {
                int at = Math.max(bounds[p - 1], from + (int) ((long) (to - from) * p / parts));
                while (at < to && data[at] != '\n') {
                    at++;
                }
                bounds[p] = Math.min(to, at + 1);
            }
            List<List<Line>> checked = IntStream.range(0, parts).parallel()
                    .mapToObj(p -> checkAll(data, bounds[p], bounds[p + 1])).toList();
            for (List<Line> part : checked) {
                for (Line line : part) {
                    if (!next(line)) {
                        return false;
                    }
                }
            }
            return true;
        }

        private boolean next(Line line) {
            int n = ++number;
            problem = problem(line, n, prev);
            if (problem != null) {
                // the record count of the message is the file's, as before: count the rest without checking them
                return false;
            }
            if (wanted.contains((long) n)) {
                found.put((long) n, new String[] {line.stage(), line.hash()});
            }
            prev = line.hash();
            return true;
        }
    }

    private static List<Line> checkAll(byte[] data, int from, int to) {
        List<Line> out = new ArrayList<>();
        CanonicalLine scanner = new CanonicalLine();
        MessageDigest sha256 = sha256();
        int pos = from;
        while (pos < to) {
            int end;
            if (scanner.scan(data, pos, to) && data[scanner.end()] == '\n') {
                end = scanner.end();
            } else {
                end = pos;
                while (end < to && data[end] != '\n') {
                    end++;
                }
            }
            out.add(check(data, pos, end, scanner, sha256));
            pos = end + 1;
        }
        return out;
    }

    /** The first rule {@code line}, number {@code n}, breaks, or null. */
    private static AuditLog.Verification problem(Line line, int n, String prev) {
        if (!line.json()) {
            return broken(n, "record " + n + ": not valid JSON any more (the line was changed)");
        }
        if (!line.seqOk(n)) {
            return broken(n, "record " + n + " (" + line.stage() + "): sequence number " + line.seq()
                    + " where " + n + " was expected: a record was removed, inserted or records were reordered");
        }
        if (!line.formKnown()) {
            return broken(n, "record " + n + " (" + line.stage() + "): hash form '" + line.form()
                    + "' is not one this powerai knows (absent or \"jcs\")");
        }
        if (!line.hashOk()) {
            return broken(n, "record " + n + " (" + line.stage()
                    + "): content changed (its SHA-256 no longer matches the hash it carries)");
        }
        if (!prev.equals(line.prev())) {
            return broken(n, "record " + n + " (" + line.stage()
                    + "): does not follow record " + (n - 1) + " (chain broken: a record was removed, inserted or reordered)");
        }
        return null;
    }

    /** A problem; the count is filled in by {@link AuditLog}, which knows the file's line count. */
    private static AuditLog.Verification broken(int n, String message) {
        return new AuditLog.Verification(false, -1, message);
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

    private static Line check(byte[] data, int from, int to, CanonicalLine scanner, MessageDigest sha256) {
        if (scanner.ok && scanner.end() == to && scanner.hash != null) {
            HashForm form = HashForm.named(scanner.hashForm);
            boolean canonical = form == HashForm.JCS ? scanner.jcs : form == HashForm.JACKSON && scanner.jackson;
            if (canonical && scanner.hasSeq) {
                sha256.update(data, from, scanner.cutFrom - from);
                sha256.update(data, scanner.cutTo, to - scanner.cutTo);
                boolean hashOk = sameHex(sha256.digest(), scanner.hash);
                return new Line(true, scanner.stage, scanner.seq, true, scanner.hashForm, hashOk,
                        hashOk ? scanner.hash : null, scanner.prev);
            }
        }
        return parsed(data, from, to);
    }

    /** The slow path: parse, canonicalise in the record's form, hash. What the fast path must always agree with. */
    private static Line parsed(byte[] data, int from, int to) {
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
        return new Line(true, stage, seq, form != null, formField, hashOk, computed, record.get("prev"));
    }

    /** Whether {@code digest} is what {@code hex} spells in lowercase hex (no string made per record). */
    private static boolean sameHex(byte[] digest, String hex) {
        if (hex.length() != digest.length * 2) {
            return false;
        }
        for (int i = 0; i < digest.length; i++) {
            if (hex.charAt(2 * i) != HEX[(digest[i] >> 4) & 0xF] || hex.charAt(2 * i + 1) != HEX[digest[i] & 0xF]) {
                return false;
            }
        }
        return true;
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
