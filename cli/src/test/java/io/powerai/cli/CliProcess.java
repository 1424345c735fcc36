package io.powerai.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The powerai command as a process of its own (a JVM on the test's class path), for what only a real process
 * shows: signals, the kernel's file locks, mounts and capabilities. {@code prefix} runs it under another program
 * (unshare, capsh), which must exec it.
 */
final class CliProcess {
    private final Process process;
    private final Path out;
    private final Path err;

    private CliProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static CliProcess start(Path logDir, List<String> prefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(javaCommand());
        command.addAll(List.of(args));
        Files.createDirectories(logDir);
        Path out = Files.createTempFile(logDir, "out", ".txt");
        Path err = Files.createTempFile(logDir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.remove("POWERAI_REGISTRY");
        env.remove("POWERAI_ENGINE");
        return new CliProcess(builder.start(), out, err);
    }

    static CliProcess start(Path logDir, String... args) throws IOException {
        return start(logDir, List.of(), args);
    }

    /** {@code java -cp <this test's class path> io.powerai.cli.Main}, as a list and as one shell-quoted line. */
    static List<String> javaCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    static String shellQuoted(List<String> words) {
        return String.join(" ", words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }

    long pid() {
        return process.pid();
    }

    /** Waits until stdout holds a line matching {@code wanted}; fails when the process ends first or at the timeout. */
    CliProcess awaitOutput(Predicate<String> wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (out().lines().anyMatch(wanted)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the command ended (exit " + process.exitValue() + ") before the awaited output\n" + this);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no awaited output within " + timeout + "\n" + this);
    }

    /** SIGTERM, as Jenkins sends when a build is aborted. */
    void terminate() {
        process.destroy();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the command did not end within " + timeout + "\n" + this);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String out() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        try {
            return "--- stdout\n" + out() + "\n--- stderr\n" + err();
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
