package io.powerai.core.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The append-only, hash-chained audit log ({@code audit.jsonl}). Each record is one canonical JSON line that
 * carries its own SHA-256 ({@code hash}) and the previous record's ({@code prev}); a head file beside it names
 * the last record, so a removed or altered last record is detected too. Tamper-evident, not tamper-proof:
 * the results archived and fingerprinted outside the workspace (Jenkins) carry each record's hash as well.
 */
public final class AuditLog {
    public static final int SCHEMA_VERSION = 1;
    public static final String GENESIS = "0".repeat(64);

    /** What a stage records: inputs and outputs by digest, plus details (never secrets). */
    public record Entry(String stage, String status, Map<String, String> inputs, Map<String, String> outputs,
                        Map<String, Object> details) {
        public Entry {
            inputs = new TreeMap<>(inputs);
            outputs = new TreeMap<>(outputs);
            details = new TreeMap<>(details);
        }
    }

    /** A record as appended: where it stands in the chain. */
    public record Appended(long seq, String hash) {
    }

    /** A record as read back: what {@link Entry} recorded, with where and when it stands in the chain. */
    public record Record(long seq, String time, String stage, String status, Map<String, String> inputs,
                         Map<String, String> outputs, Map<String, Object> details, String hash) {
    }

    /** The outcome of {@link #verify()}: OK, or the first record that was changed, removed or reordered. */
    public record Verification(boolean ok, int records, String problem) {
    }

    private final Path file;
    private final Path headFile;
    private final Clock clock;

    public AuditLog(Path file, Clock clock) {
        this.file = file;
        this.headFile = file.resolveSibling(file.getFileName() + ".head");
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    public Path headFile() {
        return headFile;
    }

    /**
     * File locks belong to the whole JVM, not to a thread: a second channel locking the same file in this JVM
     * gets OverlappingFileLockException. So appends within one JVM (any instance, e.g. two workspaces of parallel
     * branches) are serialised here, and the file lock serialises them across processes.
     */
    private static final Object APPEND_LOCK = new Object();

    public Appended append(Entry entry) {
        synchronized (APPEND_LOCK) {
            return appendLocked(entry);
        }
    }

    private Appended appendLocked(Entry entry) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ProjectPaths.requireNoLink(file, file.getFileName().toString(), "audit log");
            // NOFOLLOW_LINKS: a link swapped in after the check fails the open instead of being appended through.
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS); FileLock ignored = channel.lock()) {
                // The lock serialises appends from concurrent processes (two stages of one workspace).
                List<String> lines = readLines(channel);
                String prev = GENESIS;
                long seq = lines.size() + 1;
                if (!lines.isEmpty()) {
                    Map<String, Object> last = Json.parseObject(lines.get(lines.size() - 1));
                    prev = String.valueOf(last.get("hash"));
                }
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("schemaVersion", SCHEMA_VERSION);
                record.put("seq", seq);
                record.put("time", clock.instant().toString());
                record.put("stage", entry.stage());
                record.put("status", entry.status());
                record.put("inputs", entry.inputs());
                record.put("outputs", entry.outputs());
                record.put("details", entry.details());
                record.put("prev", prev);
                String hash = Digests.sha256(Json.canonicalBytes(record));
                record.put("hash", hash);
                channel.position(channel.size());
                channel.write(ByteBuffer.wrap((Json.canonical(record) + "\n").getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
                Json.writeAtomically(headFile, Json.canonical(Map.of("seq", seq, "hash", hash)) + "\n");
                return new Appended(seq, hash);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every record that can be read, in the order of the file; a line that is not a JSON object is left out
     * ({@link #verify()} is what says whether the log can be trusted). A missing log has no records.
     */
    public List<Record> records() {
        List<String> lines;
        try {
            lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
        List<Record> out = new java.util.ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(parse(line));
            } catch (JsonProcessingException e) {
                // a changed line: verify() reports it; the records around it are still shown
            }
        }
        return out;
    }

    /** One line of the log as a record; {@code seq} is 0 when the line carries none. */
    public static Record parse(String line) throws JsonProcessingException {
        Map<String, Object> json = Json.parseObject(line);
        return new Record(json.get("seq") instanceof Number n ? n.longValue() : 0, text(json.get("time")), text(json.get("stage")),
                text(json.get("status")), strings(json.get("inputs")), strings(json.get("outputs")), objects(json.get("details")),
                text(json.get("hash")));
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static Map<String, String> strings(Object value) {
        Map<String, String> out = new TreeMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        return out;
    }

    private static Map<String, Object> objects(Object value) {
        Map<String, Object> out = new TreeMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put(String.valueOf(k), v));
        }
        return out;
    }

    /**
     * Where a result file says its stage's record stands: the result is written after the record is appended, and a
     * build archives it outside the workspace, so it anchors the chain against a log cut short and a head rewritten.
     */
    public record Anchor(String source, String stage, long seq, String hash) {
    }

    public Verification verify() {
        return verify(List.of());
    }

    /** The chain and the head as {@link #verify()}, then each anchor: its record must be in the log, as it names it. */
    public Verification verify(List<Anchor> anchors) {
        Verification chain = verifyChain();
        if (!chain.ok()) {
            return chain;
        }
        List<String> lines;
        try {
            lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return new Verification(false, 0, "cannot read " + file + ": " + e.getMessage());
        }
        for (Anchor anchor : anchors) {
            if (anchor.seq() < 1 || anchor.seq() > lines.size()) {
                return new Verification(false, lines.size(), "record " + anchor.seq() + " (" + anchor.stage() + "): removed ("
                        + anchor.source() + " names it but the log ends at record " + lines.size() + ")");
            }
            Map<String, Object> record;
            try {
                record = Json.parseObject(lines.get((int) anchor.seq() - 1));
            } catch (JsonProcessingException e) {
                return new Verification(false, lines.size(), "record " + anchor.seq() + ": not valid JSON any more");
            }
            if (!anchor.hash().equals(record.get("hash")) || !anchor.stage().equals(record.get("stage"))) {
                return new Verification(false, lines.size(), "record " + anchor.seq() + " (" + record.get("stage") + "): is not the"
                        + " record " + anchor.source() + " names (" + anchor.stage() + ", hash " + anchor.hash()
                        + "): records were removed or replaced and the chain rewritten");
            }
        }
        return chain;
    }

    private Verification verifyChain() {
        ProjectPaths.requireNoLink(file, file.getFileName().toString(), "audit log");
        ProjectPaths.requireNoLink(headFile, headFile.getFileName().toString(), "audit log");
        List<String> lines;
        try {
            lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return new Verification(false, 0, "cannot read " + file + ": " + e.getMessage());
        }
        String prev = GENESIS;
        for (int i = 0; i < lines.size(); i++) {
            int n = i + 1;
            Map<String, Object> record;
            try {
                record = Json.parseObject(lines.get(i));
            } catch (JsonProcessingException e) {
                return new Verification(false, lines.size(), "record " + n + ": not valid JSON any more (the line was changed)");
            }
            String stage = String.valueOf(record.get("stage"));
            Object seq = record.get("seq");
            if (!(seq instanceof Number number) || number.longValue() != n) {
                return new Verification(false, lines.size(), "record " + n + " (" + stage + "): sequence number " + seq
                        + " where " + n + " was expected: a record was removed, inserted or records were reordered");
            }
            Object stored = record.remove("hash");
            String computed = Digests.sha256(Json.canonicalBytes(record));
            if (!computed.equals(stored)) {
                return new Verification(false, lines.size(), "record " + n + " (" + stage
                        + "): content changed (its SHA-256 no longer matches the hash it carries)");
            }
            if (!prev.equals(record.get("prev"))) {
                return new Verification(false, lines.size(), "record " + n + " (" + stage
                        + "): does not follow record " + (n - 1) + " (chain broken: a record was removed, inserted or reordered)");
            }
            prev = computed;
        }
        if (Files.exists(headFile)) {
            Map<String, Object> head;
            try {
                head = Json.readObject(headFile);
            } catch (IOException e) {
                return new Verification(false, lines.size(), "head file " + headFile + " is not valid JSON (changed)");
            }
            long headSeq = head.get("seq") instanceof Number number ? number.longValue() : -1;
            if (headSeq > lines.size()) {
                return new Verification(false, lines.size(), "record " + (lines.size() + 1) + ": removed (the head names record "
                        + headSeq + " but the log ends at record " + lines.size() + ")");
            }
            if (headSeq < lines.size() || !prev.equals(head.get("hash"))) {
                return new Verification(false, lines.size(), "record " + lines.size()
                        + ": does not match the head file (the last record was changed or added by hand)");
            }
        } else if (!lines.isEmpty()) {
            return new Verification(false, lines.size(), "head file " + headFile + " is missing (removed)");
        }
        return new Verification(true, lines.size(), null);
    }

    private static List<String> readLines(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
        channel.position(0);
        while (buffer.hasRemaining() && channel.read(buffer) > 0) {
            // read all
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        return text.lines().filter(line -> !line.isBlank()).toList();
    }
}
