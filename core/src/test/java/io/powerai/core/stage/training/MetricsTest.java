package io.powerai.core.stage.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsTest {
    @Test
    void accept_metricLine_returnsThePoint() {
        Metrics metrics = new Metrics();

        Metrics.Point point = metrics.accept("{\"metric\": \"accuracy\", \"value\": 0.97}");

        assertThat(point).isEqualTo(new Metrics.Point("accuracy", 0.97, null));
        assertThat(metrics.points()).containsExactly(point);
    }

    @Test
    void accept_metricWithStep_keepsTheStep() {
        Metrics metrics = new Metrics();

        assertThat(metrics.accept("{\"metric\":\"loss\",\"value\":0.25,\"step\":3}")).isEqualTo(new Metrics.Point("loss", 0.25, 3L));
    }

    @Test
    void accept_surroundingSpacesAndIntegerValue_areAccepted() {
        Metrics metrics = new Metrics();

        assertThat(metrics.accept("   {\"value\": 12, \"metric\": \"epochs\"}  ")).isEqualTo(new Metrics.Point("epochs", 12.0, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "epoch 1/3 done",
            "",
            "accuracy: 0.97",
            "INFO {\"metric\": \"accuracy\", \"value\": 0.97}",
            "{\"event\": \"start\"}",
            "{\"metric\": \"accuracy\", \"value\": }",
            "{\"metric\": \"accuracy\", \"value\": 0.97",
            "{\"metric\": \"accuracy\", \"value\": 0.97} trailing",
            "{\"metric\": \"accuracy\", \"value\": \"high\"}",
            "{\"metric\": \"accuracy\"}",
            "{\"metric\": 7, \"value\": 1}",
            "{\"metric\": \"accuracy\", \"value\": NaN}",
            "[{\"metric\": \"accuracy\", \"value\": 1}]",
    })
    void accept_nonMetricOrMalformedLine_isIgnored(String line) {
        Metrics metrics = new Metrics();

        assertThat(metrics.accept(line)).isNull();
        assertThat(metrics.points()).isEmpty();
        assertThat(metrics.finalValues()).isEmpty();
    }

    @Test
    void finalValues_lastValueOfEachMetricWins() {
        Metrics metrics = new Metrics();
        for (String line : List.of(
                "{\"metric\": \"loss\", \"value\": 0.9, \"step\": 1}",
                "starting epoch 2",
                "{\"metric\": \"accuracy\", \"value\": 0.5, \"step\": 1}",
                "{\"metric\": \"loss\", \"value\": 0.4, \"step\": 2}",
                "{\"metric\": \"loss\", \"value\": broken}",
                "{\"metric\": \"loss\", \"value\": 0.6, \"step\": 3}")) {
            metrics.accept(line);
        }

        assertThat(metrics.finalValues()).containsExactly(Map.entry("accuracy", 0.5), Map.entry("loss", 0.6));
        assertThat(metrics.points()).extracting(Metrics.Point::step).containsExactly(1L, 1L, 2L, 3L);
        assertThat(metrics.points()).extracting(Metrics.Point::value).containsExactly(0.9, 0.5, 0.4, 0.6);
    }

    @Test
    void points_isACopy() {
        Metrics metrics = new Metrics();
        List<Metrics.Point> before = metrics.points();
        metrics.accept("{\"metric\": \"loss\", \"value\": 1}");

        assertThat(before).isEmpty();
        assertThat(metrics.points()).hasSize(1);
    }
}
