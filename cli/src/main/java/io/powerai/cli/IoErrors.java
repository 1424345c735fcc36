package io.powerai.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.spec.StageDescriptor;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The one place an I/O error becomes a message: a read-only or full disk, a missing folder, a permission denied
 * end with one line naming the stage, the path and the cause, and exit 3 (the machine, not the input, is at fault),
 * never with a stack trace.
 */
final class IoErrors {
    static final int EXIT_CODE = 3;

    private IoErrors() {
    }

    /**
     * The stage a command runs, named as the messages name it: the step of a stage command (its descriptor's), the
     * command's own name otherwise (dev, audit, ...); for {@code run}, the stage under way when it failed, else "run".
     */
    static String stageOf(CommandLine commandLine) {
        CommandLine command = commandLine;
        while (command.getParent() != null && command.getParent().getParent() != null) {
            command = command.getParent(); // deploy promote -> deploy
        }
        String name = command.getCommandName();
        PowerAiCommand top = (PowerAiCommand) commandLine.getCommandSpec().root().userObject();
        String running = top.cancellation.lastStep();
        if (running != null && (name.equals("run") || StageDescriptor.ofCommand(name) != null)) {
            return running;
        }
        StageDescriptor stage = StageDescriptor.ofCommand(name);
        return stage != null ? stage.step() : name;
    }

    /** The one-line message for {@code e} when an I/O error caused it; empty for anything else (a bug keeps its trace). */
    static Optional<String> describe(String stage, Throwable e) {
        FileSystemException onFile = null;
        IOException io = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof JsonProcessingException) {
                return Optional.empty(); // unreadable JSON is a defect or bad input, not the machine's
            }
            if (t instanceof FileSystemException f && onFile == null) {
                onFile = f;
            }
            if (t instanceof IOException i && io == null) {
                io = i;
            }
        }
        if (io == null) {
            return Optional.empty();
        }
        String message;
        if (onFile != null) {
            message = onFile.getFile() + (onFile.getOtherFile() == null ? "" : " -> " + onFile.getOtherFile()) + ": " + cause(onFile);
        } else {
            // Our own wrappers name the path ("cannot reset /x/.powerai/train/outputs: No space left on device").
            message = e instanceof UncheckedIOException && e.getMessage() != null ? e.getMessage() : String.valueOf(io.getMessage());
        }
        return Optional.of(stage + ": I/O error: " + oneLine(message) + hint(message));
    }

    private static String cause(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return e.getClass().getSimpleName();
    }

    /** What to do about the usual causes. */
    private static String hint(String message) {
        String text = message.toLowerCase(java.util.Locale.ROOT);
        if (text.contains("no space left")) {
            return " (the disk is full: free space there)";
        }
        if (text.contains("read-only file system")) {
            return " (mounted read-only: the workspace's .powerai must be writable)";
        }
        if (text.contains("permission denied")) {
            return " (this user may not access it)";
        }
        return "";
    }

    private static String oneLine(String text) {
        return String.join(" ", Arrays.stream(text.split("\\R")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }
}
