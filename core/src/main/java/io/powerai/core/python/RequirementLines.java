package io.powerai.core.python;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The lines of a requirements file as pip joins them, and a line without its comment. */
final class RequirementLines {
    private static final Pattern COMMENT = Pattern.compile("(^|\\s+)#.*$");
    private static final Pattern COMMENT_LINE = Pattern.compile("^(\\s*)#.*");

    /** A logical line and the number of the physical line it starts on. */
    record Joined(int number, String text) {
    }

    private RequirementLines() {
    }

    /** {@code #} after whitespace (or at the start) starts a comment; the rest, stripped. */
    static String withoutComment(String raw) {
        return (raw.indexOf('#') < 0 ? raw : COMMENT.matcher(raw).replaceFirst("")).strip();
    }

    /** pip's join_lines: a trailing backslash continues the line; a comment line ends a continuation. */
    static List<Joined> join(String content) {
        List<Joined> out = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        StringBuilder pending = null;
        int first = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean comment = line.indexOf('#') >= 0 && COMMENT_LINE.matcher(line).matches();
            if (!line.endsWith("\\") || comment) {
                if (pending != null) {
                    pending.append(comment ? " " + line : line);
                    out.add(new Joined(first, pending.toString()));
                    pending = null;
                } else {
                    out.add(new Joined(i + 1, line));
                }
            } else {
                if (pending == null) {
                    pending = new StringBuilder();
                    first = i + 1;
                }
                pending.append(line, 0, line.length() - 1);
            }
        }
        if (pending != null) {
            out.add(new Joined(first, pending.toString()));
        }
        return out;
    }
}
