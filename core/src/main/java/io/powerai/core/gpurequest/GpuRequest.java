package io.powerai.core.gpurequest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a run asks for: no GPU, a number of GPUs, all of them, or named devices (indexes, GPU UUIDs, MIG UUIDs).
 * Its text form is docker's: {@code 0}, {@code 2}, {@code all}, {@code device=0,1} (so that a single device,
 * {@code device=1}, is never mistaken for a count).
 */
public sealed interface GpuRequest {
    Pattern COUNT = Pattern.compile("[0-9]{1,3}");
    Pattern DEVICE_ID = Pattern.compile("[0-9]{1,3}|(?:GPU|MIG)-[A-Za-z0-9/-]{1,100}");
    String DEVICES_PREFIX = "device=";

    /** The canonical text form. */
    String text();

    /** For messages: "2 GPU(s)", "all GPUs", "GPU(s) 0, 1". */
    String describe();

    record None() implements GpuRequest {
        @Override
        public String text() {
            return "0";
        }

        @Override
        public String describe() {
            return "no GPU";
        }
    }

    record Count(int count) implements GpuRequest {
        @Override
        public String text() {
            return String.valueOf(count);
        }

        @Override
        public String describe() {
            return count + " GPU(s)";
        }
    }

    record All() implements GpuRequest {
        @Override
        public String text() {
            return "all";
        }

        @Override
        public String describe() {
            return "all GPUs";
        }
    }

    record Devices(List<String> ids) implements GpuRequest {
        public Devices {
            ids = List.copyOf(ids);
        }

        @Override
        public String text() {
            return DEVICES_PREFIX + String.join(",", ids);
        }

        @Override
        public String describe() {
            return "GPU(s) " + String.join(", ", ids);
        }
    }

    /** Parses the canonical form; anything else is a bug (user input goes through {@link #canonical(Object)}). */
    static GpuRequest parse(String text) {
        if (text == null || text.equals("0")) {
            return new None();
        }
        if (text.equals("all")) {
            return new All();
        }
        if (COUNT.matcher(text).matches()) {
            return new Count(Integer.parseInt(text));
        }
        if (text.startsWith(DEVICES_PREFIX)) {
            return new Devices(List.of(text.substring(DEVICES_PREFIX.length()).split(",")));
        }
        throw new IllegalArgumentException("not a GPU request: '" + text + "'");
    }

    /**
     * The canonical form of what a user wrote, or empty when it is none of: a count (0-999), {@code all}, a
     * comma-separated list of device ids ({@code "0,1"}, optionally after {@code device=}), one GPU or MIG UUID, or
     * a YAML list of device ids ({@code [0, 1]}, where {@code [1]} means device 1, not one GPU).
     */
    static Optional<String> canonical(Object raw) {
        if (raw instanceof Integer n) {
            return n >= 0 && n <= 999 ? Optional.of(String.valueOf(n)) : Optional.empty();
        }
        List<String> ids = new ArrayList<>();
        if (raw instanceof String text) {
            String s = text.strip();
            if (s.equals("all") || COUNT.matcher(s).matches()) {
                return Optional.of(s.equals("all") ? s : String.valueOf(Integer.parseInt(s)));
            }
            boolean explicit = s.startsWith(DEVICES_PREFIX);
            if (explicit) {
                s = s.substring(DEVICES_PREFIX.length());
            }
            if (!explicit && !s.contains(",") && !s.startsWith("GPU-") && !s.startsWith("MIG-")) {
                return Optional.empty();
            }
            for (String part : s.split(",", -1)) {
                ids.add(part.strip());
            }
        } else if (raw instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof Integer || item instanceof String)) {
                    return Optional.empty();
                }
                ids.add(String.valueOf(item).strip());
            }
        } else {
            return Optional.empty();
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String id : ids) {
            if (!DEVICE_ID.matcher(id).matches() || !unique.add(id.toLowerCase(java.util.Locale.ROOT))) {
                return Optional.empty();
            }
        }
        return ids.isEmpty() ? Optional.empty() : Optional.of(DEVICES_PREFIX + String.join(",", ids));
    }
}
