package io.powerai.core.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one naming rule between a pipeline step's parameters and the pipeline file's keys: a step takes camelCase
 * ({@code baseImage}, {@code gpuPolicy}), as every Jenkins step does, and each name maps one to one to the file's
 * snake_case key ({@code base_image}, {@code gpu_policy}). Only the parameter names are converted: the keys inside
 * a value (environment variable names, node labels, ulimit names, Kubernetes fields) are the user's and stay as
 * given. The snake_case names of earlier releases are still accepted, each with a deprecation note naming the new
 * name. A few parameters hold a map of powerai's own fields ({@code gate: [metric: ..., minDelta: ...]}): their
 * keys follow the same rule, one level down.
 */
public final class StepParameters {
    /** Parameters whose value is a map of powerai's own fields, not of names the user chose. */
    private static final java.util.Set<String> STRUCTURED = java.util.Set.of("gate");

    private StepParameters() {
    }

    /** A step's parameters in the file's keys, and a note for each snake_case name that was given. */
    public record Mapped(Map<String, Object> fileKeys, List<String> deprecations) {
        public Mapped {
            fileKeys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fileKeys));
            deprecations = List.copyOf(deprecations);
        }
    }

    /** {@code base_image} -> {@code baseImage}; a key without '_' is its own step name. */
    public static String stepName(String fileKey) {
        StringBuilder name = new StringBuilder(fileKey.length());
        boolean upper = false;
        for (char c : fileKey.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    /** {@code baseImage} -> {@code base_image}: the inverse of {@link #stepName} for every file key. */
    public static String fileKey(String stepName) {
        StringBuilder key = new StringBuilder(stepName.length() + 4);
        for (char c : stepName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                key.append('_').append(Character.toLowerCase(c));
            } else {
                key.append(c);
            }
        }
        return key.toString();
    }

    /** The names a step takes for the CLI, camelCase, sorted: what "Valid parameters" lists to a pipeline. */
    public static SortedSet<String> stepNames(Stage stage) {
        SortedSet<String> names = new TreeSet<>();
        PipelineSpec.stepParameters(stage).forEach(k -> names.add(stepName(k)));
        return names;
    }

    /**
     * {@code given} (a step's parameters, camelCase or the old snake_case) in the file's keys. An unknown name, or
     * one parameter given under both its names, is a problem listed under the step's name with the valid names.
     */
    public static Mapped toFileKeys(Stage stage, Map<String, Object> given, Problems problems) {
        SortedSet<String> fileKeys = PipelineSpec.stepParameters(stage);
        Map<String, Object> mapped = new TreeMap<>();
        List<String> deprecations = new ArrayList<>();
        Map<String, String> givenAs = new TreeMap<>();
        for (Map.Entry<String, Object> entry : new TreeMap<>(given).entrySet()) {
            String name = entry.getKey();
            String key = fileKey(name);
            boolean camel = !name.contains("_") && fileKeys.contains(key) && stepName(key).equals(name);
            boolean snake = name.contains("_") && fileKeys.contains(name);
            if (!camel && !snake) {
                problems.add(stage.stepName(), "unknown parameter '" + name + "'. Valid parameters: "
                        + String.join(", ", stepNames(stage)));
                continue;
            }
            String fileKey = camel ? key : name;
            String earlier = givenAs.put(fileKey, name);
            if (earlier != null) {
                problems.add(stage.stepName(), "'" + earlier + "' and '" + name + "' are the same parameter; give it once, as '"
                        + stepName(fileKey) + "'");
                continue;
            }
            if (snake) {
                deprecations.add("parameter '" + name + "' is deprecated: use '" + stepName(name)
                        + "' (the same value; '" + name + "' stays the key in the pipeline file)");
            }
            Object value = entry.getValue();
            if (STRUCTURED.contains(fileKey) && value instanceof Map<?, ?> fields) {
                value = fieldsToFileKeys(stage, stepName(fileKey), fields, deprecations, problems);
            }
            mapped.put(fileKey, value);
        }
        return new Mapped(mapped, deprecations);
    }

    /** The fields of a structured parameter in the file's keys: camelCase converted, snake_case kept with a note. */
    private static Map<String, Object> fieldsToFileKeys(Stage stage, String parameter, Map<?, ?> fields, List<String> deprecations,
            Problems problems) {
        Map<String, Object> mapped = new TreeMap<>();
        Map<String, String> givenAs = new TreeMap<>();
        Map<String, Object> byName = new TreeMap<>(); // sorted: the same problem text whatever the map's order
        fields.forEach((key, value) -> byName.put(String.valueOf(key), value));
        for (Map.Entry<String, Object> field : byName.entrySet()) {
            String name = field.getKey();
            String key = name.contains("_") ? name : fileKey(name);
            String earlier = givenAs.put(key, name);
            if (earlier != null) {
                problems.add(stage.stepName(), "'" + parameter + "." + earlier + "' and '" + parameter + "." + name
                        + "' are the same field; give it once, as '" + parameter + "." + stepName(key) + "'");
                continue;
            }
            if (name.contains("_")) {
                deprecations.add("field '" + parameter + "." + name + "' is deprecated: use '" + parameter + "." + stepName(name)
                        + "' (the same value; '" + name + "' stays the key in the pipeline file)");
            }
            mapped.put(key, field.getValue());
        }
        return mapped;
    }
}
