package io.powerai.core.render;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * An axis with ticks at 1, 2 or 5 times a power of ten. A value axis is widened outwards to whole ticks; a step
 * axis keeps the data's own ends (no empty epoch after the last) and puts whole-number ticks inside them.
 */
public record NiceScale(double min, double max, double step, int decimals) {
    private static final int TICKS = 4;
    private static final int MAX_DECIMALS = 12;

    /** A value axis around {@code lo..hi}, its ends on ticks. */
    public static NiceScale values(double lo, double hi) {
        double[] range = widen(lo, hi);
        double step = niceStep((range[1] - range[0]) / TICKS);
        double min = Math.floor(range[0] / step) * step;
        double max = Math.ceil(range[1] / step) * step;
        if (max <= min) {
            max = min + step;
        }
        return new NiceScale(min, max, step, decimals(step));
    }

    /** A step axis exactly over {@code lo..hi} (whole numbers), ticks at whole multiples of a nice step inside. */
    public static NiceScale steps(double lo, double hi) {
        double[] range = lo == hi ? new double[] {lo - 1, hi + 1} : new double[] {lo, hi};
        double span = range[1] - range[0];
        // Up to a dozen epochs each gets its label; beyond, about six labels.
        double step = span <= 12 ? 1 : Math.max(1, Math.round(niceStep(span / 6)));
        return new NiceScale(range[0], range[1], step, 0);
    }

    public List<Double> ticks() {
        List<Double> out = new ArrayList<>();
        double first = Math.ceil(min / step - 1e-9) * step;
        for (long k = 0; k <= 1000; k++) {
            double t = first + k * step;
            if (t > max + step * 1e-9) {
                break;
            }
            out.add(t);
        }
        return out;
    }

    /** {@code v} as its tick label: the decimals of the step, no "-0". */
    public String label(double v) {
        String text = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
        return text.matches("-0(\\.0+)?") ? text.substring(1) : text;
    }

    /** Where {@code v} falls from 0 (min) to 1 (max). */
    public double fraction(double v) {
        return (v / 2 - min / 2) / (max / 2 - min / 2); // halves: no overflow to infinity near the ends of double
    }

    private static double[] widen(double lo, double hi) {
        if (!Double.isFinite(hi - lo)) { // values near the ends of double: draw on half the range, never NaN
            lo /= 2;
            hi /= 2;
        }
        if (lo == hi) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - pad, hi + pad};
        }
        return new double[] {lo, hi};
    }

    private static int decimals(double step) {
        return Math.min(MAX_DECIMALS, Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9)));
    }

    private static double niceStep(double raw) {
        double base = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / base;
        double nice = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10; // 0.1 / 5 is 0.020000000000000004
        return nice * base;
    }
}
