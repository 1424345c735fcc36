package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Problems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromotionGateTest {
    private static final PromotionGate MAX = new PromotionGate("test_accuracy", new BigDecimal("0.01"), PromotionGate.Mode.MAX, false);

    private static PromotionGate parse(Object gate, Problems problems) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("gate", gate);
        return PromotionGate.from(new Section("aksDeploy", section, problems));
    }

    @Test
    void from_allKeys() {
        Problems problems = new Problems();
        PromotionGate gate = parse(Map.of("metric", "loss", "min_delta", 0.05, "mode", "min", "when_unknown", "promote"), problems);

        assertThat(problems.isEmpty()).isTrue();
        assertThat(gate).isEqualTo(new PromotionGate("loss", new BigDecimal("0.05"), PromotionGate.Mode.MIN, true));
    }

    @Test
    void from_defaults_maxZeroDeltaStop() {
        PromotionGate gate = parse(Map.of("metric", "test_accuracy"), new Problems());

        assertThat(gate).isEqualTo(new PromotionGate("test_accuracy", BigDecimal.ZERO, PromotionGate.Mode.MAX, false));
    }

    @Test
    void from_everyProblemAtOnce() {
        Problems problems = new Problems();
        parse(Map.of("min_delta", -1, "mode", "highest", "when_unknown", "maybe", "metirc", "x"), problems);

        assertThat(problems.lines()).containsExactlyInAnyOrder(
                "aksDeploy: 'gate' has an unknown key. Valid keys: metric, min_delta, mode, when_unknown; got 'metirc'",
                "aksDeploy: 'gate.metric' is required: the name of a metric the training reports, e.g. test_accuracy; got null",
                "aksDeploy: 'gate.min_delta' must be a number, 0 or more; got -1",
                "aksDeploy: 'gate.mode' must be 'max' (higher is better) or 'min' (lower is better); got 'highest'",
                "aksDeploy: 'gate.when_unknown' must be 'stop' or 'promote'; got 'maybe'");
    }

    @Test
    void from_notAMap() {
        Problems problems = new Problems();
        parse("test_accuracy", problems);

        assertThat(problems.lines()).containsExactly(
                "aksDeploy: 'gate' must be a map with keys metric, min_delta, mode, when_unknown; got 'test_accuracy'");
    }

    @Test
    void pipelineFile_gateInTheDeploySection(@TempDir Path project) {
        PipelineSpec spec = PipelineSpec.from(Map.of("name", "demo", "deploy", Map.of("target", "local",
                "gate", Map.of("metric", "test_accuracy", "min_delta", 0.01))), project, null);

        assertThat(spec.deploy().gate()).isEqualTo(MAX);
    }

    @Test
    void decide_nothingServes_theFirstDeployPassesAndSaysSo() {
        PromotionGate.Decision d = MAX.decide("aksDeploy", Map.of("test_accuracy", 0.9), false, null);

        assertThat(d.passes()).isTrue();
        assertThat(d.outcome()).isEqualTo(PromotionGate.Outcome.FIRST_DEPLOY);
        assertThat(d.line()).isEqualTo("gate test_accuracy (max, min_delta 0.01): nothing serves yet, the first model (0.9) passes");
    }

    @Test
    void decide_betterByAtLeastMinDelta_passes_evenWhereDoublesRoundBadly() {
        PromotionGate.Decision d = MAX.decide("aksDeploy", Map.of("test_accuracy", 0.97), true, Map.of("test_accuracy", 0.96));

        assertThat(d.passes()).isTrue(); // 0.97 - 0.96 is 0.010000000000000009 in doubles, 0.01 in decimals
        assertThat(d.line()).contains("0.97").contains("0.96");
    }

    @Test
    void decide_worse_keepsTheServingVersion_withBothValues() {
        PromotionGate.Decision d = MAX.decide("aksDeploy", Map.of("test_accuracy", 0.95), true, Map.of("test_accuracy", 0.96));

        assertThat(d.passes()).isFalse();
        assertThat(d.line()).isEqualTo("gate test_accuracy (max, min_delta 0.01): the new model's 0.95 is not better than the "
                + "serving model's 0.96 by at least 0.01; the serving version stays");
    }

    @Test
    void decide_betterButWithinMinDelta_keeps() {
        assertThat(MAX.decide("aksDeploy", Map.of("test_accuracy", 0.965), true, Map.of("test_accuracy", 0.96)).passes()).isFalse();
        assertThat(MAX.decide("aksDeploy", Map.of("test_accuracy", 0.96), true, Map.of("test_accuracy", 0.96)).passes()).isFalse();
    }

    @Test
    void decide_modeMin_lowerIsBetter() {
        PromotionGate loss = new PromotionGate("loss", new BigDecimal("0.1"), PromotionGate.Mode.MIN, false);

        assertThat(loss.decide("aksDeploy", Map.of("loss", 0.2), true, Map.of("loss", 0.3)).passes()).isTrue();
        assertThat(loss.decide("aksDeploy", Map.of("loss", 0.25), true, Map.of("loss", 0.3)).passes()).isFalse();
    }

    @Test
    void decide_servingWithoutARecord_stops_unlessWhenUnknownPromote() {
        PromotionGate.Decision stop = MAX.decide("aksDeploy", Map.of("test_accuracy", 0.9), true, null);
        PromotionGate.Decision otherMetricOnly = MAX.decide("aksDeploy", Map.of("test_accuracy", 0.9), true, Map.of("loss", 0.1));
        PromotionGate promote = new PromotionGate("test_accuracy", BigDecimal.ZERO, PromotionGate.Mode.MAX, true);

        assertThat(stop.passes()).isFalse();
        assertThat(stop.line()).contains("the serving deployment has no recorded test_accuracy (deployed before the gate)")
                .contains("set gate.when_unknown: promote");
        assertThat(otherMetricOnly.outcome()).isEqualTo(PromotionGate.Outcome.UNKNOWN_STOPPED);
        assertThat(promote.decide("aksDeploy", Map.of("test_accuracy", 0.9), true, null).outcome())
                .isEqualTo(PromotionGate.Outcome.UNKNOWN_PROMOTED);
    }

    @Test
    void decide_metricMissingFromTheNewModel_isInvalidInputNamingIt() {
        assertThatThrownBy(() -> MAX.decide("aksDeploy", Map.of("loss", 0.1, "f1", 0.8), false, null))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("aksDeploy: 'gate.metric' test_accuracy is not among the new model's metrics (f1, loss): name one the training reports");
    }
}
