package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.lifecycle.Cancellation;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.util.Optional;

/**
 * The one place where what a command threw becomes what the user sees and the exit code scripts and pipelines act
 * on: 0 done, 1 the stage failed, 2 invalid input, 3 infrastructure unavailable (an I/O error too), 143 / 130
 * stopped by a signal. The message is the whole story, printed without a stack trace; a bare message
 * ({@link PowerAiException#bare()}) gets the stage that was running before each line, here and nowhere else.
 * Anything else is a defect and keeps its stack trace (picocli's own handling, exit 1).
 */
final class Failures implements IExecutionExceptionHandler, IExitCodeExceptionMapper {
    private final PrintStream err;
    private final Cancellation cancellation;

    Failures(PrintStream err, Cancellation cancellation) {
        this.err = err;
        this.cancellation = cancellation;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) throws Exception {
        if (cancellation.aborted()) {
            // Stopped from outside: the abort says so and records it; whatever failed here followed from it.
            cancellation.awaitAbort(Main.ABORT_SECONDS);
            return PowerAiCommand.abortExitCode(cancellation);
        }
        Optional<String> message = message(e, IoErrors.stageOf(commandLine));
        if (message.isEmpty()) {
            throw e;
        }
        err.println(message.get());
        return getExitCode(e);
    }

    /** The user's message for {@code e} thrown while {@code stage} ran; empty for a defect. */
    static Optional<String> message(Throwable e, String stage) {
        if (e instanceof PowerAiException p) {
            return Optional.of(p.messageIn(stage));
        }
        return IoErrors.describe(stage, e);
    }

    @Override
    public int getExitCode(Throwable e) {
        if (e instanceof PowerAiException p) {
            return p.exitCode();
        }
        if (IoErrors.describe("", e).isPresent()) {
            return IoErrors.EXIT_CODE; // the machine, not the input, is at fault
        }
        return 1;
    }
}
