package io.powerai.core.audit;

import com.fasterxml.jackson.databind.ObjectReader;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Jcs;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The append-only, hash-chained audit log ({@code audit.jsonl}). Each record ({@link AuditRecord}) is one line of
 * RFC 8785 canonical JSON that carries its own SHA-256 ({@code hash}, over the record without it, in the form its
 * {@code hashForm} names) and the previous record's ({@code prev}); a head file beside it names the last record, so a
 * removed or altered last record is detected too. Tamper-evident, not tamper-proof: the results archived and
 * fingerprinted outside the workspace (Jenkins) carry each record's hash as well. Every reader goes through
 * {@link #lines()} / {@link #records()} (typed) or {@link #verify()} (the chain, {@link ChainCheck}).
 */
public final class AuditLog {
    public static final int SCHEMA_VERSION = AuditRecord.SCHEMA_VERSION;
    public static final String GENESIS = "0".repeat(64);
    private static final ObjectReader RECORD_READER = Json.mapper().readerFor(AuditRecord.class);

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

    /** One line of the log as read back: its number (from 1) and its record, null when the line is not one. */
    public record Line(int number, AuditRecord record) {
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
                // Only the last line is read (a long log made every append cost seconds); the chain itself is
                // verify()'s job, as it always was: append refuses a last line that is not JSON, nothing more.
                String lastLine = LastLine.of(channel);
                String prev = GENESIS;
                long seq = 1;
                if (lastLine != null) {
                    Map<String, Object> last = Json.parseObject(lastLine);
                    prev = String.valueOf(last.get("hash"));
                    seq = last.get("seq") instanceof Number n && (n instanceof Integer || n instanceof Long)
                            && n.longValue() >= 1 ? n.longValue() + 1 : countLines(channel) + 1;
                }
                AuditRecord record = AuditRecord.unhashed(seq, clock.instant().toString(), entry, prev);
                String hash = Digests.sha256(Jcs.canonicalBytes(record));
                // A complete last record whose line break was lost (an editor, a copy) gets one first: the new
                // record is never written onto its line.
                String separator = channel.size() > 0 && !endsWithLineBreak(channel) ? "\n" : "";
                byte[] line = (separator + Jcs.canonical(record.withHash(hash)) + "\n").getBytes(StandardCharsets.UTF_8);
                channel.position(channel.size());
                channel.write(ByteBuffer.wrap(line));
                channel.force(true);
                Json.writeAtomically(headFile, Json.canonical(Map.of("seq", seq, "hash", hash)) + "\n");
                return new Appended(seq, hash);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every record that can be read, in the order of the file; a line that is not a record is left out
     * ({@link #verify()} is what says whether the log can be trusted). A missing log has no records.
     */
    public List<AuditRecord> records() {
        return lines().stream().map(Line::record).filter(java.util.Objects::nonNull).toList();
    }

    /**
     * The one reader of the log: every line but blank ones, each with its record or null where the line is not one
     * (a changed line: {@link #verify()} reports it, and the records around it can still be shown).
     */
    public List<Line> lines() {
        byte[] data = readAll();
        ChainCheck.Lines lines = ChainCheck.Lines.of(data);
        List<Line> out = new ArrayList<>(lines.count());
        for (int i = 0; i < lines.count(); i++) {
            int from = lines.starts()[i];
            int length = lines.ends()[i] - from;
            if (new String(data, from, length, StandardCharsets.UTF_8).isBlank()) {
                continue;
            }
            out.add(new Line(i + 1, parse(data, from, length)));
        }
        return out;
    }

    private static AuditRecord parse(byte[] data, int from, int length) {
        try {
            return RECORD_READER.readValue(data, from, length);
        } catch (IOException e) {
            return null;
        }
    }

    private byte[] readAll() {
        try {
            return Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
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
        ProjectPaths.requireNoLink(file, file.getFileName().toString(), "audit log");
        ProjectPaths.requireNoLink(headFile, headFile.getFileName().toString(), "audit log");
        ChainCheck.Outcome outcome;
        try {
            outcome = ChainCheck.verify(file, headFile, anchors.stream().map(Anchor::seq).collect(Collectors.toSet()));
        } catch (IOException e) {
            return new Verification(false, 0, "cannot read " + file + ": " + e.getMessage());
        }
        Verification chain = outcome.verification();
        if (!chain.ok()) {
            // a broken chain is reported with the file's line count, as the walk stopped at the first problem
            return chain.records() >= 0 ? chain : new Verification(false, ChainCheck.Lines.of(readAll()).count(), chain.problem());
        }
        int count = chain.records();
        for (Anchor anchor : anchors) {
            String[] found = outcome.found().get(anchor.seq());
            if (anchor.seq() < 1 || anchor.seq() > count || found == null) {
                return new Verification(false, count, "record " + anchor.seq() + " (" + anchor.stage() + "): removed ("
                        + anchor.source() + " names it but the log ends at record " + count + ")");
            }
            if (!anchor.hash().equals(found[1]) || !anchor.stage().equals(found[0])) {
                return new Verification(false, count, "record " + anchor.seq() + " (" + found[0] + "): is not the"
                        + " record " + anchor.source() + " names (" + anchor.stage() + ", hash " + anchor.hash()
                        + "): records were removed or replaced and the chain rewritten");
            }
        }
        return chain;
    }

    private static boolean endsWithLineBreak(FileChannel channel) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, channel.size() - 1);
        return last.get(0) == '\n' || last.get(0) == '\r';
    }

    /** Non-blank lines: the sequence number append gives when the last line names none it can continue. */
    private static long countLines(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
        channel.position(0);
        while (buffer.hasRemaining() && channel.read(buffer) > 0) {
            // read all
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        return text.lines().filter(line -> !line.isBlank()).count();
    }
}
