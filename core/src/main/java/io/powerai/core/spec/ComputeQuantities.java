package io.powerai.core.spec;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * CPU and memory as Azure ML names them ({@code cpu_cores: 0.5}, {@code memory_gb: 16}), held as Kubernetes needs
 * them: CPU in millicores, memory in MiB (memory_gb is read as GiB, rounded up to whole MiB).
 */
public final class ComputeQuantities {
    public static final BigDecimal MAX_CPU_CORES = new BigDecimal("1000");
    public static final BigDecimal MAX_MEMORY_GB = new BigDecimal("4096");

    private ComputeQuantities() {
    }

    /** {@code key} in millicores, {@code defaultValue} cores when absent; null (a problem recorded) when invalid. */
    public static Integer millicores(Section s, String key, BigDecimal defaultValue) {
        BigDecimal cores = decimal(s, key, defaultValue, MAX_CPU_CORES, "cores");
        if (cores == null) {
            return null;
        }
        BigDecimal millis = cores.movePointRight(3);
        if (millis.stripTrailingZeros().scale() > 0) {
            s.problem(key, s.raw(key), "must be a multiple of 0.001 (Kubernetes counts CPU in millicores)");
            return null;
        }
        return millis.intValueExact();
    }

    /** {@code key} (GB, read as GiB) in MiB, {@code defaultValue} GB when absent; null (a problem recorded) when invalid. */
    public static Integer mebibytes(Section s, String key, BigDecimal defaultValue) {
        BigDecimal gb = decimal(s, key, defaultValue, MAX_MEMORY_GB, "GB");
        return gb == null ? null : gb.multiply(BigDecimal.valueOf(1024)).setScale(0, RoundingMode.CEILING).intValueExact();
    }

    /** A number greater than 0 and at most {@code max}; YAML and JSON give Integer or Double, text is refused. */
    private static BigDecimal decimal(Section s, String key, BigDecimal defaultValue, BigDecimal max, String unit) {
        Object value = s.raw(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number number && !(value instanceof Double d && (d.isNaN() || d.isInfinite()))) {
            BigDecimal decimal = new BigDecimal(number.toString());
            if (decimal.signum() > 0 && decimal.compareTo(max) <= 0) {
                return decimal;
            }
        }
        s.problem(key, value, "must be a number of " + unit + " greater than 0 and at most " + max.toPlainString()
                + ", e.g. 0.5");
        return null;
    }
}
