package io.powerai.core.spec;

import io.powerai.core.PowerAiException;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code deploy.gate}: a new model replaces the serving one only when its {@code metric} is better by at least
 * {@code min_delta} ({@code mode: max}, higher is better, or {@code min}). The serving model's value comes from the
 * deployment's own record (a container label, Kubernetes annotations), never from a workspace. Nothing serving:
 * the first deploy passes. A serving deployment without the metric recorded (every deployment made before the gate)
 * stops the deploy unless {@code when_unknown: promote}.
 */
public record PromotionGate(String metric, BigDecimal minDelta, Mode mode, boolean promoteWhenUnknown) {
    public static final Set<String> KEYS = Set.of("metric", "min_delta", "mode", "when_unknown");

    public enum Mode { MAX, MIN }

    public enum Outcome { FIRST_DEPLOY, BETTER, UNKNOWN_PROMOTED, NOT_BETTER, UNKNOWN_STOPPED }

    /** What the gate decided, in one line that names both values. */
    public record Decision(Outcome outcome, String line, Double candidate, Double serving) {
        public boolean passes() {
            return outcome == Outcome.FIRST_DEPLOY || outcome == Outcome.BETTER || outcome == Outcome.UNKNOWN_PROMOTED;
        }
    }

    /** The gate of {@code s} (the deploy section), or null when it has none; problems are recorded in {@code s}. */
    public static PromotionGate from(Section s) {
        if (!s.has("gate")) {
            return null;
        }
        if (!(s.raw("gate") instanceof Map<?, ?> raw)) {
            s.problem("gate", s.raw("gate"), "must be a map with keys metric, min_delta, mode, when_unknown");
            return null;
        }
        for (Object key : new TreeSet<>(raw.keySet().stream().map(String::valueOf).toList())) {
            if (!KEYS.contains(key)) {
                s.problem("gate", key, "has an unknown key. Valid keys: " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        Object metric = raw.get("metric");
        if (!(metric instanceof String name) || name.isBlank()) {
            s.problem("gate.metric", metric, "is required: the name of a metric the training reports, e.g. test_accuracy");
            metric = null;
        }
        Object delta = raw.get("min_delta");
        BigDecimal minDelta = BigDecimal.ZERO;
        if (delta != null) {
            minDelta = delta instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0
                    ? new BigDecimal(String.valueOf(n)) : null;
            if (minDelta == null) {
                s.problem("gate.min_delta", delta, "must be a number, 0 or more");
            }
        }
        Object mode = raw.get("mode");
        Mode parsedMode = Mode.MAX;
        if (mode != null) {
            parsedMode = "max".equals(mode) ? Mode.MAX : "min".equals(mode) ? Mode.MIN : null;
            if (parsedMode == null) {
                s.problem("gate.mode", mode, "must be 'max' (higher is better) or 'min' (lower is better)");
            }
        }
        Object unknown = raw.get("when_unknown");
        if (unknown != null && !"stop".equals(unknown) && !"promote".equals(unknown)) {
            s.problem("gate.when_unknown", unknown, "must be 'stop' or 'promote'");
        }
        return metric == null || minDelta == null || parsedMode == null ? null
                : new PromotionGate((String) metric, minDelta, parsedMode, "promote".equals(unknown));
    }

    /**
     * Decides. {@code candidate}: the new model's metrics; {@code serves}: whether a version serves now;
     * {@code serving}: its recorded metrics, null when it has no record.
     */
    public Decision decide(String stage, Map<String, Double> candidate, boolean serves, Map<String, Double> serving) {
        double value = requireMetric(stage, candidate);
        String rule = "gate " + metric + " (" + mode.name().toLowerCase(Locale.ROOT) + ", min_delta " + minDelta.toPlainString() + ")";
        if (!serves) {
            return new Decision(Outcome.FIRST_DEPLOY, rule + ": nothing serves yet, the first model (" + text(value) + ") passes",
                    value, null);
        }
        Double old = serving == null ? null : serving.get(metric);
        if (old == null) {
            return promoteWhenUnknown
                    ? new Decision(Outcome.UNKNOWN_PROMOTED, rule + ": the serving deployment has no recorded " + metric
                    + "; when_unknown: promote replaces it with the new model (" + text(value) + ")", value, null)
                    : new Decision(Outcome.UNKNOWN_STOPPED, rule + ": the serving deployment has no recorded " + metric
                    + " (deployed before the gate), so the new model (" + text(value) + ") cannot be compared; "
                    + "the serving version stays (set gate.when_unknown: promote to replace it)", value, null);
        }
        BigDecimal gain = mode == Mode.MAX ? decimal(value).subtract(decimal(old)) : decimal(old).subtract(decimal(value));
        boolean better = gain.compareTo(minDelta) >= 0;
        return better
                ? new Decision(Outcome.BETTER, rule + ": the new model's " + text(value) + " against the serving model's "
                + text(old) + " passes", value, old)
                : new Decision(Outcome.NOT_BETTER, rule + ": the new model's " + text(value) + " is not better than the serving "
                + "model's " + text(old) + " by at least " + minDelta.toPlainString() + "; the serving version stays", value, old);
    }

    /** The new model's value of the gate's metric; invalid input naming the metric when the training did not report it. */
    public double requireMetric(String stage, Map<String, Double> candidate) {
        Double value = candidate.get(metric);
        if (value == null) {
            throw new PowerAiException.InvalidInput(stage + ": 'gate.metric' " + metric + " is not among the new model's metrics ("
                    + (candidate.isEmpty() ? "it has none" : String.join(", ", new TreeSet<>(candidate.keySet())))
                    + "): name one the training reports");
        }
        return value;
    }

    private static BigDecimal decimal(double v) {
        return BigDecimal.valueOf(v);
    }

    private static String text(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
