package io.powerai.core.workspace;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One run at a time in a workspace: two runs would reset each other's outputs and start containers of the same
 * name. An OS file lock on {@code .powerai/lock}, so the kernel releases it when the process ends however it ends
 * (a SIGKILLed run never leaves a stale lock). The holder writes who it is into the file, for the message the
 * next run shows.
 *
 * <p>POSIX record locks belong to the process and are dropped when it closes any descriptor of the file: the
 * holder never opens the lock file a second time, and reads it only while it does not hold the lock.
 */
public final class WorkspaceLock implements AutoCloseable {
    public static final String FILE_NAME = "lock";

    /** Who holds the lock, as it wrote itself into the file; fields are empty when it could not be read. */
    public record Holder(String pid, String command, String since) {
        String describe() {
            return "pid " + (pid.isEmpty() ? "?" : pid) + (command.isEmpty() ? "" : " ('" + command + "')")
                    + (since.isEmpty() ? "" : " since " + since);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private WorkspaceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code workspaceDir} ({@code .powerai}) for {@code command}. When another process holds it:
     * with {@code wait}, tells {@code onWait} who and blocks until it is free; else fails at once (exit 3) naming the
     * holder. {@code stage} prefixes the message.
     */
    public static WorkspaceLock acquire(Path workspaceDir, String stage, String command, Clock clock, boolean wait,
                                        Consumer<String> onWait) {
        Path file = workspaceDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(workspaceDir);
            if (Files.isSymbolicLink(file) || Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                // .powerai can come with the repository: a planted link must not make the lock truncate another file.
                throw new PowerAiException.InvalidInput(stage + ": " + file + " must be a regular file (powerai's workspace lock); "
                        + "it is a link or a special file: remove it");
            }
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS));
            FileLock lock = tryLock(channel);
            if (lock == null) {
                String holder = readHolder(channel).describe();
                if (!wait) {
                    throw new PowerAiException.InfrastructureUnavailable(stage + ": the workspace " + workspaceDir + " is in use by "
                            + holder + "; wait for that run to end, or pass --wait-lock to wait for it");
                }
                onWait.accept("waiting for the workspace " + workspaceDir + ", in use by " + holder);
                lock = channel.lock();
            }
            Map<String, Object> me = new LinkedHashMap<>();
            me.put("pid", ProcessHandle.current().pid());
            me.put("command", command);
            me.put("since", clock.instant().toString());
            byte[] text = (Json.canonical(me) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text), 0);
            channel.force(false);
            WorkspaceLock taken = new WorkspaceLock(channel, lock);
            channel = null;
            return taken;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the workspace " + file + ": " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                closeQuietly(channel);
            }
        }
    }

    /** The lock, or null when another process holds it; in this JVM a second holder is a run already under way. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static Holder readHolder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 64 * 1024));
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        try {
            Map<String, Object> holder = Json.parseObject(text.strip());
            return new Holder(String.valueOf(holder.getOrDefault("pid", "")), String.valueOf(holder.getOrDefault("command", "")),
                    String.valueOf(holder.getOrDefault("since", "")));
        } catch (IOException | RuntimeException e) {
            return new Holder("", "", ""); // written at this moment, or by hand: the holder is still unnamed
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // the kernel drops the lock with the descriptor
        }
    }
}
