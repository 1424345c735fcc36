package io.powerai.core.image;

import io.powerai.core.PowerAiException;
import io.powerai.core.files.NamePolicy;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every Dockerfile powerai renders is written here, so that every value reaching one is quoted the same way,
 * whether it comes from powerai.yaml, from a file powerai wrote earlier (a manifest, a result) or from the file
 * system: LABEL and ENV values as Dockerfile strings, COPY paths in the JSON form when plain words would not
 * do, shell words in RUN lines quoted for {@code /bin/sh}. A control character in any value is refused (exit 2):
 * a line break would end the instruction and start another, whatever the quoting.
 */
public final class DockerfileWriter {
    /** Words that mean the same to sh and to the Dockerfile parser unquoted. */
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    /** COPY sources are patterns (these would match other files, or nothing) and '$' would be expanded. */
    private static final Pattern PATTERN_CHARACTER = Pattern.compile("[*?\\[\\]\\\\$]");

    private final StringBuilder out = new StringBuilder();

    public DockerfileWriter comment(String text) {
        out.append("# ").append(checked(text)).append('\n');
        return this;
    }

    public DockerfileWriter from(String image) {
        return instruction("FROM " + word(image));
    }

    /**
     * {@code LABEL}, one label a line, values quoted; the first on the instruction's own line when
     * {@code firstInline}.
     */
    public DockerfileWriter labels(Map<String, String> labels, boolean firstInline) {
        out.append("LABEL");
        int i = 0;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            out.append(i++ == 0 && firstInline ? " " : " \\\n      ").append(word(label.getKey())).append('=').append(quoted(label.getValue()));
        }
        out.append('\n');
        return this;
    }

    /** {@code ENV}, one variable a line, values quoted; nothing when {@code env} is empty. */
    public DockerfileWriter env(Map<String, String> env) {
        if (env.isEmpty()) {
            return this;
        }
        out.append("ENV");
        env.forEach((k, v) -> out.append(" \\\n    ").append(word(k)).append('=').append(quoted(v)));
        out.append('\n');
        return this;
    }

    /** {@code COPY source destination}: plain words where they do, else the JSON form. */
    public DockerfileWriter copy(String source, String destination) {
        if (PATTERN_CHARACTER.matcher(source).find()) {
            throw new PowerAiException.InvalidInput("Dockerfile: COPY source '" + NamePolicy.visible(source)
                    + "' must not hold * ? [ ] \\ or $ (COPY reads them as a pattern or a variable)");
        }
        if (PLAIN_WORD.matcher(checked(source)).matches() && PLAIN_WORD.matcher(checked(destination)).matches()) {
            return instruction("COPY " + source + " " + destination);
        }
        return instruction("COPY " + jsonArray(List.of(source, destination)));
    }

    /** A RUN instruction whose text the caller built from constants and {@link #shellWord}/{@link #shellQuoted} values. */
    public DockerfileWriter run(String shell) {
        return instruction("RUN " + shell);
    }

    public DockerfileWriter workdir(String dir) {
        return instruction("WORKDIR " + word(dir));
    }

    public DockerfileWriter user(String user) {
        return instruction("USER " + word(user));
    }

    public DockerfileWriter expose(int port) {
        return instruction("EXPOSE " + port);
    }

    /** {@code CMD} in the exec form: no shell in between. */
    public DockerfileWriter cmd(List<String> command) {
        return instruction("CMD " + jsonArray(command));
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private DockerfileWriter instruction(String text) {
        out.append(text).append('\n');
        return this;
    }

    /** A Dockerfile double-quoted string (LABEL, ENV): backslash, quote and '$' (which both would expand) escaped. */
    public static String quoted(String value) {
        return '"' + checked(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + '"';
    }

    /** One word for {@code /bin/sh} in a RUN line: as is when plain, else {@link #shellQuoted}. */
    public static String shellWord(String value) {
        return PLAIN_WORD.matcher(checked(value)).matches() ? value : shellQuoted(value);
    }

    /** One word for {@code /bin/sh}, always double-quoted: backslash, quote, '$' and '`' escaped. */
    public static String shellQuoted(String value) {
        return '"' + checked(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + '"';
    }

    private static String word(String value) {
        if (!PLAIN_WORD.matcher(checked(value)).matches()) {
            throw new PowerAiException.InvalidInput("Dockerfile: '" + value + "' must be one plain word (letters, digits, _@%+=:,./-)");
        }
        return value;
    }

    private static String jsonArray(List<String> items) {
        return items.stream().map(DockerfileWriter::jsonString).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String jsonString(String value) {
        return '"' + checked(value).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String checked(String value) {
        if (NamePolicy.controlCharacter(value)) {
            throw new PowerAiException.InvalidInput("Dockerfile: '" + NamePolicy.visible(value) + "' " + NamePolicy.RULE);
        }
        return value;
    }
}
