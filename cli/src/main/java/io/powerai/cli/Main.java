package io.powerai.cli;

import java.io.PrintStream;
import java.util.Map;

/** Entry point of the {@code powerai} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Runs the command with the given streams and environment; returns the exit code (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        return PowerAiCommand.commandLine(out, err, environment).execute(args);
    }
}
