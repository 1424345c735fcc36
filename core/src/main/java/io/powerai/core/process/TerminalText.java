package io.powerai.core.process;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Output of the engines and tools is relayed into logs, result files, audit records and one-line messages, none of
 * them a terminal: colour and cursor codes there are noise (a Jenkins console shows them as "[0m"), and a message
 * that carries one may hide text. Children are asked not to write them, and what they write anyway is removed.
 */
public final class TerminalText {
    /** ECMA-48 control sequences (CSI: colours, cursor moves), OSC sequences (window titles, links), other ESC pairs. */
    private static final Pattern ESCAPES = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|\u001B[@-Z\\\\-_]|\u001B");

    /** What every child process gets: plain output (the NO_COLOR convention; BuildKit's plain progress, no redraws). */
    public static final Map<String, String> PLAIN_OUTPUT = Map.of("NO_COLOR", "1", "BUILDKIT_PROGRESS", "plain");

    private TerminalText() {
    }

    /** {@code line} without terminal control sequences. */
    public static String plain(String line) {
        return line.indexOf('\u001B') < 0 ? line : ESCAPES.matcher(line).replaceAll("");
    }
}
