package io.powerai.core.spec;

import io.powerai.core.files.NamePolicy;
import io.powerai.core.files.ProjectPaths;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Typed, strict reading of one stage's keys. A wrong type or value is recorded in {@link Problems} and the
 * getter returns null (or the default), so that parsing goes on and every problem is reported at once.
 */
public final class Section {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String stage;
    private final Map<String, Object> values;
    private final Problems problems;

    public Section(String stage, Map<String, Object> values, Problems problems) {
        this.stage = stage;
        this.values = values == null ? Map.of() : values;
        this.problems = problems;
    }

    public String stage() {
        return stage;
    }

    public Problems problems() {
        return problems;
    }

    /** The value as parsed, for keys that accept more than one type. */
    public Object raw(String key) {
        return values.get(key);
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public void problem(String key, Object value, String rule) {
        problems.add(stage, "'" + key + "' " + rule + "; got " + show(value));
    }

    /** Unknown keys are errors that list the valid ones: a typo must never be silently ignored. */
    public void rejectUnknown(Set<String> valid) {
        for (String key : new TreeSet<>(values.keySet())) {
            if (!valid.contains(key)) {
                problems.add(stage, "unknown parameter '" + key + "'. Valid parameters: "
                        + String.join(", ", new TreeSet<>(valid)));
            }
        }
    }

    public String string(String key, boolean required) {
        Object value = values.get(key);
        if (value == null) {
            if (required) {
                problems.add(stage, "'" + key + "' is required");
            }
            return null;
        }
        if (!(value instanceof String text)) {
            problem(key, value, "must be a string");
            return null;
        }
        if (text.isBlank()) {
            problem(key, value, "must not be empty");
            return null;
        }
        return text;
    }

    public String matching(String key, boolean required, Pattern pattern, String rule) {
        String text = string(key, required);
        if (text != null && !pattern.matcher(text).matches()) {
            problem(key, text, rule);
            return null;
        }
        return text;
    }

    /** A list of scalars; numbers and booleans are taken as their text (command arguments are text). */
    public List<String> stringList(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problem(key, value, "must be a list");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                out.add(String.valueOf(item));
            } else {
                problem(key, value, "must be a list of strings");
                return List.of();
            }
        }
        return List.copyOf(out);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Integer number && number >= min && number <= max) {
            return number;
        }
        problem(key, value, "must be a whole number from " + min + " to " + max);
        return defaultValue;
    }

    public boolean bool(String key, boolean defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        problem(key, value, "must be true or false");
        return defaultValue;
    }

    public Duration duration(String key, Duration defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            problem(key, value, e.getMessage());
            return defaultValue;
        }
    }

    /** Environment variables: names as POSIX shells accept them, values as text. */
    public SortedMap<String, String> environment(String key) {
        Object value = values.get(key);
        SortedMap<String, String> out = new TreeMap<>();
        if (value == null) {
            return out;
        }
        if (!(value instanceof Map<?, ?> map)) {
            problem(key, value, "must be a map of variable names to values");
            return out;
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            Object v = entry.getValue();
            if (!ENV_NAME.matcher(name).matches()) {
                problem(key + "." + name, name, "must be a variable name (letters, digits, '_', not starting with a digit)");
            } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                out.put(name, String.valueOf(v));
            } else {
                problem(key + "." + name, v, "must be a string");
            }
        }
        return out;
    }

    /**
     * A path relative to {@code base} that must stay inside it (specs are shared; a spec must not reach files
     * outside the project) and exist as a file or a directory as asked. Inside means by its real location, links
     * resolved ({@link ProjectPaths}); a name with a control character is refused whatever it names, since names
     * reach Dockerfiles and logs, where a line break would start a new instruction or line.
     */
    public Path pathInside(String key, boolean required, Path base, boolean directory) {
        String text = string(key, required);
        if (text == null) {
            return null;
        }
        if (NamePolicy.controlCharacter(text)) {
            problem(key, text, NamePolicy.RULE);
            return null;
        }
        Path resolved;
        try {
            if (Path.of(text).isAbsolute()) {
                problem(key, text, "must be a path relative to the project directory");
                return null;
            }
            resolved = base.resolve(text).normalize();
        } catch (InvalidPathException e) {
            problem(key, text, "must be a valid path");
            return null;
        }
        if (!resolved.startsWith(base.normalize())) {
            problem(key, text, "must stay inside the project directory " + base);
            return null;
        }
        java.util.Optional<String> refused = ProjectPaths.whyRefused(base, resolved);
        if (refused.isPresent()) {
            problem(key, text, "must stay inside the project directory " + base + " (links resolved): " + refused.get());
            return null;
        }
        if (directory ? !Files.isDirectory(resolved) : !Files.isRegularFile(resolved)) {
            problem(key, text, "must name " + (directory ? "a directory" : "a file") + " in the project directory " + base
                    + " (not found)");
            return null;
        }
        return resolved;
    }

    /** A nested map, for sections; anything else is a problem. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        }
        return null;
    }

    static String show(Object value) {
        if (value instanceof String s) {
            return "'" + NamePolicy.visible(s) + "'";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(value);
    }
}
