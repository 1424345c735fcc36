package io.powerai.core.files;

/**
 * The name rule: a file name, path or value that powerai renders into a Dockerfile, a shell line, a label or a
 * log line never holds a control character (a line break would end a Dockerfile instruction and start another;
 * an escape sequence would rewrite a terminal). Everything else is allowed and quoted where it is rendered
 * ({@link io.powerai.core.image.DockerfileWriter}).
 */
public final class NamePolicy {
    public static final String RULE = "must not hold control characters (line breaks, tabs, escapes): names reach"
            + " Dockerfiles, shell lines and logs";

    private NamePolicy() {
    }

    /** Whether {@code text} holds a C0 or C1 control character, DEL, or a Unicode line or paragraph separator. */
    public static boolean controlCharacter(String text) {
        return text.codePoints().anyMatch(NamePolicy::isControl);
    }

    /** {@code text} with each control character shown as an escape ({@code \n}, {@code \x1b}), for one-line messages. */
    public static String visible(String text) {
        if (!controlCharacter(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (isControl(c)) {
                        out.append(String.format(java.util.Locale.ROOT, c > 0xff ? "\\u%04x" : "\\x%02x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }

    private static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029;
    }
}
