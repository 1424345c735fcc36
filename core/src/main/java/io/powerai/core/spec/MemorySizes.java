package io.powerai.core.spec;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as docker and podman read them ({@code --shm-size 2g}): a number, then {@code b}, {@code k},
 * {@code m}, {@code g} or {@code t}, optionally followed by {@code b} or {@code ib}; every unit is binary
 * (1g = 1024 MiB), as in docker. A bare number is bytes.
 */
public final class MemorySizes {
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) ?([kmgt]?)(i?b)?");
    public static final String RULE = "must be a memory size such as 512m, 2g or 8GiB (binary units, as docker reads them)";

    private MemorySizes() {
    }

    /** Bytes; an IllegalArgumentException with {@link #RULE} for anything else, zero included. */
    public static long bytes(Object raw) {
        if (raw instanceof Integer || raw instanceof Long) {
            long n = ((Number) raw).longValue();
            if (n > 0) {
                return n;
            }
            throw new IllegalArgumentException(RULE);
        }
        if (!(raw instanceof String text)) {
            throw new IllegalArgumentException(RULE);
        }
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2).isEmpty() && m.group(3) != null && m.group(3).equals("ib"))) {
            throw new IllegalArgumentException(RULE);
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(RULE);
        }
        return bytes.longValue();
    }

    /** The size in the engine's own words: the shortest exact binary unit ("2g", "512m"), else bytes. */
    public static String engineForm(long bytes) {
        String[] units = {"t", "g", "m", "k"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes % (1L << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return String.valueOf(bytes);
    }

    /** The size as a Kubernetes quantity ("2Gi", "512Mi"), exact. */
    public static String kubernetesQuantity(long bytes) {
        String[] units = {"Ti", "Gi", "Mi", "Ki"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes % (1L << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return String.valueOf(bytes);
    }
}
