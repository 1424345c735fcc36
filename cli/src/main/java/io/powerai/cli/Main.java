package io.powerai.cli;

import io.powerai.core.lifecycle.Cancellation;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Entry point of the {@code powerai} command. */
public final class Main {
    /** How long a stop request may take to undo what the run started before the process ends anyway. */
    static final long ABORT_SECONDS = 60;

    /** Held by a signal's handler while it stops the run; a second signal waits for the first. */
    private static final Object SIGNAL = new Object();

    private Main() {
    }

    public static void main(String[] args) {
        Cancellation cancellation = new Cancellation();
        stopOnSignals(cancellation, System.err);
        int code = run(args, System.out, System.err, System.getenv(), cancellation, System.console() != null);
        if (cancellation.aborted()) {
            synchronized (SIGNAL) { // the handler holds it until it has undone, said so and exited
                code = PowerAiCommand.abortExitCode(cancellation);
            }
        }
        System.exit(code);
    }

    /** Runs the command with the given streams and environment; returns the exit code (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        return run(args, out, err, environment, new Cancellation());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment, Cancellation cancellation) {
        return run(args, out, err, environment, cancellation, false);
    }

    /** {@code terminal}: stdout is a terminal, where a secret (the dev server's token) may be shown. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment, Cancellation cancellation,
                   boolean terminal) {
        picocli.CommandLine cli = PowerAiCommand.commandLine(out, err, environment, cancellation, List.of(args));
        ((PowerAiCommand) cli.getCommand()).terminal = terminal;
        return cli.execute(args);
    }

    /**
     * SIGTERM (what Jenkins sends when a build is aborted) and SIGINT (Ctrl-C) stop the run: what it started is
     * stopped, a deployment under way gives way to what served before, the stage is recorded as aborted; then the
     * process exits with 128 + the signal's number (143, 130). A second signal waits for the first one's undoing.
     */
    @SuppressWarnings("removal")
    private static void stopOnSignals(Cancellation cancellation, PrintStream err) {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    synchronized (SIGNAL) {
                        List<String> problems = cancellation.abort("SIG" + name);
                        err.println("powerai: stopped by SIG" + name + (problems.isEmpty() ? ""
                                : "; could not undo everything: " + String.join("; ", problems)));
                        err.flush();
                        System.exit(PowerAiCommand.abortExitCode(cancellation));
                    }
                });
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal for itself (-Xrs): its default stop applies
            }
        }
    }
}
