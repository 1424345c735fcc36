package io.powerai.core.gpurequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether a host's NVIDIA driver runs what a CUDA toolkit built. The table is "CUDA Toolkit and Corresponding
 * Driver Versions" (Linux x86_64) and the floors are "Minimum Required Driver Version for CUDA Minor Version
 * Compatibility" from NVIDIA's CUDA Toolkit release notes (13.2 Update 2 edition): a driver at or above the
 * toolkit's version runs everything it built; a driver of the same major's compatibility branch runs most of it
 * (not PTX that needs JIT by a newer driver, nor features the older driver lacks).
 */
public final class CudaCompatibility {
    public enum Status {
        /** The driver is at least the toolkit's own. */
        OK,
        /** Older than the toolkit's driver but within its major's minor-version-compatibility range: a warning. */
        MINOR_VERSION_COMPATIBILITY,
        /** Too old: CUDA programs fail to initialize (cudaErrorInsufficientDriver). */
        DRIVER_TOO_OLD,
        /** Not decidable: a CUDA version unknown to the table and no usable driver facts. */
        UNKNOWN
    }

    public record Verdict(Status status, String requiredDriver, String message) {
    }

    public static final Pattern CUDA_VERSION = Pattern.compile("[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,4})?");

    /** Toolkit version (major.minor.update; 10.x by build) -> minimum Linux x86_64 driver, newest first. */
    private static final List<String[]> TOOLKIT_DRIVER = rows(
            "13.2.2", "595.71.05", "13.2.1", "595.58.03", "13.2.0", "595.45.04",
            "13.1.1", "590.48.01", "13.1.0", "590.44.01",
            "13.0.2", "580.95.05", "13.0.1", "580.82.07", "13.0.0", "580.65.06",
            "12.9.1", "575.57.08", "12.9.0", "575.51.03",
            "12.8.1", "570.124.06", "12.8.0", "570.26",
            "12.6.3", "560.35.05", "12.6.2", "560.35.03", "12.6.1", "560.35.03", "12.6.0", "560.28.03",
            "12.5.1", "555.42.06", "12.5.0", "555.42.02",
            "12.4.1", "550.54.15", "12.4.0", "550.54.14",
            "12.3.1", "545.23.08", "12.3.0", "545.23.06",
            "12.2.2", "535.104.05", "12.2.1", "535.86.09", "12.2.0", "535.54.03",
            "12.1.1", "530.30.02", "12.1.0", "530.30.02",
            "12.0.1", "525.85.12", "12.0.0", "525.60.13",
            "11.8.0", "520.61.05",
            "11.7.1", "515.48.07", "11.7.0", "515.43.04",
            "11.6.2", "510.47.03", "11.6.1", "510.47.03", "11.6.0", "510.39.01",
            "11.5.2", "495.29.05", "11.5.1", "495.29.05", "11.5.0", "495.29.05",
            "11.4.4", "470.82.01", "11.4.3", "470.82.01", "11.4.2", "470.57.02", "11.4.1", "470.57.02", "11.4.0", "470.42.01",
            "11.3.1", "465.19.01", "11.3.0", "465.19.01",
            "11.2.2", "460.32.03", "11.2.1", "460.32.03", "11.2.0", "460.27.03",
            "11.1.1", "455.32", "11.1.0", "455.23",
            "11.0.3", "450.51.06", "11.0.2", "450.51.05",
            "10.2.89", "440.33", "10.1.105", "418.39", "10.0.130", "410.48");

    /** CUDA major -> lowest driver branch that runs its minor versions through minor version compatibility. */
    private static final Map<Integer, Integer> MINOR_COMPAT_BRANCH = Map.of(13, 580, 12, 525, 11, 450);

    private CudaCompatibility() {
    }

    /** The driver the table asks for {@code cuda} ("12.4": its GA; "12.4.1": Update 1), or null when unknown. */
    public static String minimumDriver(String cuda) {
        int[] wanted = numbers(cuda);
        String[] best = null;
        String[] lowest = null;
        for (String[] row : TOOLKIT_DRIVER) {
            int[] v = numbers(row[0]);
            if (v[0] != wanted[0] || v[1] != wanted[1]) {
                continue;
            }
            lowest = row; // rows are newest first, so the last match is the GA
            if (wanted.length > 2 && best == null && v[2] <= wanted[2]) {
                best = row;
            }
        }
        if (best != null) {
            return best[1];
        }
        return lowest == null ? null : lowest[1];
    }

    /**
     * @param cuda the CUDA version a program was built with ("12.4", "12.4.1")
     * @param driver the host's driver version ("580.159.04")
     * @param driverCuda the highest CUDA version the driver reports (nvidia-smi's cuda_version), or null
     */
    public static Verdict check(String cuda, String driver, String driverCuda) {
        if (driver == null) {
            return new Verdict(Status.UNKNOWN, null, "the driver version is unknown, so CUDA " + cuda + " cannot be checked");
        }
        int cudaMajor = numbers(cuda)[0];
        Integer floor = MINOR_COMPAT_BRANCH.get(cudaMajor);
        boolean inCompatRange = floor != null && numbers(driver)[0] >= floor;
        String required = minimumDriver(cuda);
        if (required != null) {
            if (compare(driver, required) >= 0) {
                return new Verdict(Status.OK, required, "driver " + driver + " runs CUDA " + cuda + " (needs >= " + required + ")");
            }
            if (inCompatRange) {
                return new Verdict(Status.MINOR_VERSION_COMPATIBILITY, required, "driver " + driver + " is older than CUDA " + cuda
                        + "'s " + required + " and runs it only through CUDA minor version compatibility (" + cudaMajor
                        + ".x on >= " + floor + "): code that needs PTX JIT or newer driver features fails");
            }
            return new Verdict(Status.DRIVER_TOO_OLD, required, "driver " + driver + " is too old for CUDA " + cuda + " (needs >= "
                    + required + (floor == null ? "" : ", or >= " + floor + " through minor version compatibility")
                    + "); upgrade the driver or use an image built for CUDA " + (driverCuda == null ? "an older version" : "<= " + driverCuda));
        }
        // A toolkit newer than the table: the driver's own report of the highest CUDA it supports decides.
        if (driverCuda != null && CUDA_VERSION.matcher(driverCuda).matches()) {
            if (compare(majorMinor(cuda), driverCuda) <= 0) {
                return new Verdict(Status.OK, null, "driver " + driver + " supports CUDA up to " + driverCuda + ", which covers " + cuda);
            }
            if (inCompatRange) {
                return new Verdict(Status.MINOR_VERSION_COMPATIBILITY, null, "driver " + driver + " supports CUDA up to " + driverCuda
                        + " and runs " + cuda + " only through CUDA minor version compatibility");
            }
            return new Verdict(Status.DRIVER_TOO_OLD, null, "driver " + driver + " supports CUDA up to " + driverCuda + ", older than "
                    + cuda + "; upgrade the driver or use an image built for CUDA <= " + driverCuda);
        }
        return new Verdict(Status.UNKNOWN, null, "CUDA " + cuda + " is not in the driver table and the driver reports no CUDA version");
    }

    /** Compares dotted versions number by number ("580.159.04" > "580.65.06"); missing parts count as 0. */
    static int compare(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? x[i] : 0;
            int q = i < y.length ? y[i] : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static String majorMinor(String version) {
        int[] v = numbers(version);
        return v[0] + "." + (v.length > 1 ? v[1] : 0);
    }

    private static int[] numbers(String version) {
        String[] parts = version.strip().split("\\.");
        int[] out = new int[Math.max(parts.length, 2)];
        for (int i = 0; i < parts.length; i++) {
            String digits = parts[i].replaceAll("[^0-9].*$", "");
            out[i] = digits.isEmpty() ? 0 : Integer.parseInt(digits);
        }
        return out;
    }

    private static List<String[]> rows(String... pairs) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(new String[] {pairs[i], pairs[i + 1]});
        }
        return List.copyOf(out);
    }
}
