package io.powerai.core.dev;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.powerai.core.json.Json;
import io.powerai.core.python.PackageName;
import io.powerai.core.python.RequirementsFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Pure edits of the project's environment files: pins into a requirements file, and one key of powerai.yaml's
 * {@code environment} section. An edit that cannot be made safely returns null; the caller then shows the change
 * to make by hand instead.
 */
final class EnvironmentFiles {
    static final String HEADER = "# Captured by 'powerai dev --capture' from what was installed in the notebook's environment.";
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private EnvironmentFiles() {
    }

    /** The name a pin ({@code name==version} or {@code name @ url}) is for, normalized. */
    static String pinName(String pin) {
        int end = pin.indexOf("==");
        int at = pin.indexOf(" @ ");
        int cut = end > 0 && (at < 0 || end < at) ? end : at;
        return PackageName.normalize((cut > 0 ? pin.substring(0, cut) : pin).strip());
    }

    /**
     * {@code text} (a requirements file, {@code parsed} as its top level) with {@code pins}: a line that names a pinned
     * project is replaced by the pin, the other pins are added at the end under {@link #HEADER}. Null when a pinned
     * project is named in an included file or by a line that continues (hashes): those are for a person to change.
     */
    static String withPins(String text, String fileName, RequirementsFile.Result parsed, List<String> pins) {
        Map<String, String> byName = new TreeMap<>();
        pins.forEach(p -> byName.put(pinName(p), p));
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        Map<String, String> left = new TreeMap<>(byName);
        for (RequirementsFile.Line line : parsed.requirements()) {
            String name = line.name();
            if (name == null || !byName.containsKey(name)) {
                continue;
            }
            int index = line.number() - 1;
            if (!line.file().equals(fileName) || !line.hashes().isEmpty() || index < 0 || index >= lines.size()
                    || lines.get(index).strip().endsWith("\\")) {
                return null;
            }
            lines.set(index, byName.get(name));
            left.remove(name);
        }
        if (!left.isEmpty()) {
            if (!lines.contains(HEADER)) {
                lines.add(HEADER);
            }
            lines.addAll(left.values());
        }
        return String.join("\n", lines) + "\n";
    }

    /**
     * {@code yaml} with {@code environment.<key>} set to {@code value} (a string or a list of strings), written in flow
     * style on one line; the rest of the file as it was. Null when the file's shape is not one this edit understands,
     * or when the result would read back as anything but the same file with that one value changed.
     */
    static String withEnvironmentKey(String yaml, String key, Object value) {
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        int section = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("environment:\\s*(#.*)?")) {
                section = i;
                break;
            }
        }
        if (section < 0) {
            return null;
        }
        int end = section + 1;
        String indent = null;
        while (end < lines.size()) {
            String line = lines.get(end);
            if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
                int spaces = line.length() - line.stripLeading().length();
                if (spaces == 0) {
                    break;
                }
                if (indent == null) {
                    indent = line.substring(0, spaces);
                }
            }
            end++;
        }
        if (indent == null) {
            indent = "  ";
        }
        if (!indent.isBlank() || indent.contains("\t")) {
            return null;
        }
        String rendered = indent + key + ": " + flow(value);
        int keyLine = -1;
        for (int i = section + 1; i < end; i++) {
            if (lines.get(i).startsWith(indent + key + ":")) {
                keyLine = i;
                break;
            }
        }
        if (keyLine < 0) {
            lines.add(section + 1, rendered);
        } else {
            // The old value: its own line, and the lines under it (deeper, or a block list at the key's own indent).
            int last = keyLine;
            for (int i = keyLine + 1; i < end; i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                int spaces = line.length() - line.stripLeading().length();
                if (spaces > indent.length() || spaces == indent.length() && line.stripLeading().startsWith("- ")) {
                    last = i;
                } else {
                    break;
                }
            }
            lines.subList(keyLine, last + 1).clear();
            lines.add(keyLine, rendered);
        }
        String edited = String.join("\n", lines);
        return sameButFor(yaml, edited, key, value) ? edited : null;
    }

    /** JSON's string and list syntax, which YAML's flow style reads the same. */
    static String flow(Object value) {
        return Json.canonical(value);
    }

    @SuppressWarnings("unchecked")
    private static boolean sameButFor(String before, String after, String key, Object value) {
        try {
            Map<String, Object> old = (Map<String, Object>) YAML.readValue(before, Map.class);
            Map<String, Object> now = (Map<String, Object>) YAML.readValue(after, Map.class);
            if (old == null || now == null || !(old.get("environment") instanceof Map<?, ?> oldEnv)
                    || !(now.get("environment") instanceof Map<?, ?> newEnv)) {
                return false;
            }
            Map<Object, Object> expected = new LinkedHashMap<>(oldEnv);
            expected.put(key, value);
            Map<String, Object> expectedTop = new LinkedHashMap<>(old);
            expectedTop.put("environment", expected);
            return Objects.equals(expectedTop, now) && Objects.equals(expected, newEnv);
        } catch (IOException | ClassCastException e) {
            return false;
        }
    }
}
