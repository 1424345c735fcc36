package io.powerai.core.process;

import io.powerai.core.lifecycle.Cancellation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs an external program, hands each line of its stdout and stderr to a consumer as it arrives, and
 * stops it at a timeout (terminate, then kill). The one place the core starts processes.
 */
public final class ProcessRunner {

    /** What a finished (or stopped) process left: its exit code, its output lines, whether it timed out. */
    public record Result(int exitCode, List<String> lines, boolean timedOut) {
        public String output() {
            return String.join("\n", lines);
        }

        public String lastLines(int n) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /** The program could not be started at all (not installed, not executable). */
    public static final class NotStarted extends Exception {
        private static final long serialVersionUID = 1L;

        NotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Map<String, String> extraEnvironment;
    private final Cancellation cancellation;

    public ProcessRunner(Map<String, String> extraEnvironment) {
        this(extraEnvironment, null);
    }

    /** A runner whose programs are killed when {@code cancellation} is aborted (null: never). */
    public ProcessRunner(Map<String, String> extraEnvironment, Cancellation cancellation) {
        this.extraEnvironment = Map.copyOf(extraEnvironment);
        this.cancellation = cancellation;
    }

    public ProcessRunner() {
        this(Map.of());
    }

    /**
     * Ties {@code process} to the cancellation: an abort kills it and what it started at once (a program this JVM
     * started outlives the JVM otherwise). Null when there is no cancellation, or when the abort is under way: then
     * the programs started are the abort's own (removing a container, starting the previous one again).
     */
    private Cancellation.Registration killOnAbort(Process process, String program) {
        if (cancellation == null || cancellation.aborted()) {
            return null;
        }
        try {
            return cancellation.onAbort("stop " + program, () -> killTree(process));
        } catch (Cancellation.Aborted e) {
            return null; // aborted in between: as above
        }
    }

    /** The program first (so it cannot react to its children's end), then what it started, listed before. */
    private static void killTree(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    public Result run(List<String> command, Path workDir, Duration timeout, Consumer<String> onLine) throws NotStarted {
        return run(command, workDir, timeout, onLine, Map.of());
    }

    /**
     * As {@link #run(List, Path, Duration, Consumer)}, with {@code callEnvironment} over this runner's environment
     * for this one call (a private auth config for an engine that talks to a registry).
     */
    public Result run(List<String> command, Path workDir, Duration timeout, Consumer<String> onLine,
                      Map<String, String> callEnvironment) throws NotStarted {
        // stdout and stderr are read apart, each a line at a time: in one merged pipe a line written in two parts
        // (Python's print() with PYTHONUNBUFFERED writes the text, then the newline) could take the other stream's
        // line into its middle, and a metric line would be lost.
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process = start(builder, callEnvironment);
        try { // programs run here never read stdin; closing it keeps one from waiting on it
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to flush
        }
        Cancellation.Registration abortable = killOnAbort(process, command.get(0));
        List<String> lines = new ArrayList<>();
        Thread out = readLines(process.getInputStream(), lines, onLine, "output of " + command.get(0));
        Thread err = readLines(process.getErrorStream(), lines, onLine, "errors of " + command.get(0));
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                stopTree(process, Duration.ofSeconds(10));
            }
            out.join(TimeUnit.SECONDS.toMillis(10));
            err.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for " + command.get(0)));
        } finally {
            if (abortable != null) {
                abortable.close();
            }
        }
        synchronized (lines) {
            return new Result(process.exitValue(), List.copyOf(lines), timedOut);
        }
    }

    /** Starts {@code builder} with this runner's environment over the inherited one, and {@code callEnvironment} over both. */
    private Process start(ProcessBuilder builder, Map<String, String> callEnvironment) throws NotStarted {
        builder.environment().putAll(TerminalText.PLAIN_OUTPUT);
        builder.environment().putAll(extraEnvironment);
        builder.environment().putAll(callEnvironment);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new NotStarted("cannot start '" + builder.command().get(0) + "': " + e.getMessage(), e);
        }
    }

    /** Reads {@code stream} a line at a time into {@code lines} and {@code onLine}, one line at a time for both streams. */
    private static Thread readLines(java.io.InputStream stream, List<String> lines, Consumer<String> onLine, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String read; (read = in.readLine()) != null; ) {
                    String line = TerminalText.plain(read);
                    synchronized (lines) { // the consumer sees whole lines, never two at once
                        lines.add(line);
                        onLine.accept(line);
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /**
     * Terminates {@code process} and every process it started, then kills what is left after {@code grace}. The
     * children are listed first: once their parent is gone they belong to init and can no longer be found from it
     * (a training's data-loader workers, a shell's sleep, would otherwise outlive the timeout and hold the GPU).
     */
    static void stopTree(Process process, Duration grace) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // what has not ended by the deadline is killed below
                }
            }
        }
        // Children started during the grace period are found through those still alive.
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcessHandle handle : tree) {
            if (handle.isAlive()) {
                left.addAll(handle.descendants().toList());
                left.add(handle);
            }
        }
        left.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
    }

    /** What a program that answers a question on stdin wrote to stdout and to stderr, apart. */
    public record Exchange(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs {@code command} with {@code input} on its stdin (a docker credential helper reads the server URL there)
     * and returns its output unlogged: the answer may hold a secret. Killed at the timeout (exit code -1).
     */
    public Exchange exchange(List<String> command, byte[] input, Duration timeout) throws NotStarted {
        Process process = start(new ProcessBuilder(command), Map.of());
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (java.io.OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            // it exited without reading its input; its exit status says why
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stopTree(process, Duration.ofSeconds(2));
                return new Exchange(-1, "", "timed out after " + timeout.toSeconds() + " s");
            }
            return new Exchange(process.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for " + command.get(0)));
        }
    }

    private static byte[] readAll(java.io.InputStream stream) {
        try (stream) {
            return stream.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    public Result run(List<String> command, Duration timeout) throws NotStarted {
        return run(command, null, timeout, line -> { });
    }

    /** A program started in the background by {@link #start}: it runs until it ends or is stopped. */
    public interface Background {
        boolean isAlive();

        /** Stops it (terminate, then kill) if it still runs; its exit code and its last lines of output. */
        Result stop();
    }

    /**
     * Starts {@code command} in the background (a sampler that runs beside a training); each line of its merged
     * output goes to {@code onLine}. Only its last lines are kept, for the message when it fails.
     */
    public Background start(List<String> command, Consumer<String> onLine) throws NotStarted {
        Process process = start(new ProcessBuilder(command).redirectErrorStream(true), Map.of());
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to flush
        }
        Cancellation.Registration abortable = killOnAbort(process, command.get(0));
        java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String read; (read = in.readLine()) != null; ) {
                    String line = TerminalText.plain(read);
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > 20) {
                            last.removeFirst();
                        }
                    }
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // stopped; what was read was handed on
            }
        }, "background " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        return new Background() {
            @Override
            public boolean isAlive() {
                return process.isAlive();
            }

            @Override
            public Result stop() {
                boolean wasRunning = process.isAlive();
                try {
                    if (wasRunning) {
                        stopTree(process, Duration.ofSeconds(5));
                    }
                    reader.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                } finally {
                    if (abortable != null) {
                        abortable.close();
                    }
                }
                synchronized (last) {
                    return new Result(process.isAlive() ? -1 : process.exitValue(), List.copyOf(last), false);
                }
            }
        };
    }
}
