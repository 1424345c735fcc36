package io.powerai.core.gpurequest;

/**
 * How much of a GPU's memory must be free for a run to take it: a share of its total ({@code 90%}) or an amount.
 * Memory held by other processes is what slows a training down or makes it fail with an out-of-memory error.
 */
public record FreeMemoryRule(Double percent, Long mebibytes) {
    public static final FreeMemoryRule DEFAULT = new FreeMemoryRule(90.0, null);

    public static FreeMemoryRule percent(double value) {
        return new FreeMemoryRule(value, null);
    }

    public static FreeMemoryRule mebibytes(long value) {
        return new FreeMemoryRule(null, value);
    }

    /** Whether {@code free} of {@code total} MiB is enough; unknown memory (MIG parents) passes. */
    public boolean allows(Long free, Long total) {
        if (free == null) {
            return true;
        }
        if (percent != null) {
            return total == null || total == 0 || free * 100.0 / total >= percent;
        }
        return free >= mebibytes;
    }

    public String text() {
        return percent != null ? trim(percent) + "%" : mebibytes + "MiB";
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
