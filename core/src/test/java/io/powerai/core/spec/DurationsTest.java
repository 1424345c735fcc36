package io.powerai.core.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {
    private static final String RULE = "must be a positive duration such as 90s, 30m, 2h or 1h30m";

    @ParameterizedTest
    @CsvSource({
            "90s,      90",
            "30m,      1800",
            "2h,       7200",
            "1h30m,    5400",
            "1h30m15s, 5415",
            "1h15s,    3615",
            "90m,      5400",
            "' 45s ',  45",
            "0h5m,     300",
    })
    void parse_text_givesTheDuration(String text, long seconds) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void parse_positiveInteger_isSeconds() {
        assertThat(Durations.parse(600)).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse(1)).isEqualTo(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "", " ", "0s", "0h0m0s", "1.5h", "30m1h", "1d", "h", "-5s", "1H", "5 m", "30"})
    void parse_otherText_isRejectedWithTheRule(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(RULE);
    }

    @Test
    void parse_nonPositiveOrNonIntegerNumbers_areRejected() {
        for (Object value : List.of(0, -5, 1.5, 10_000_000_000L, true)) {
            assertThatThrownBy(() -> Durations.parse(value)).as("%s", value)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(RULE);
        }
    }

    @Test
    void parse_null_isRejected() {
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class).hasMessage(RULE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999s", "9999999999999999h", "153722867280912931m", "2562047788016h"})
    void parse_tooLarge_isRejectedWithTheRule(String text) {
        // Too many digits for a long, more than Duration holds, or more milliseconds than a long holds (the
        // process timeout): still the rule, never a NumberFormatException message or an ArithmeticException
        // (which Section would not catch, so one bad timeout would hide every other problem of the spec).
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(RULE);
    }

    @ParameterizedTest
    @CsvSource({
            "0,     0s",
            "45,    45s",
            "60,    1m",
            "90,    1m30s",
            "3600,  1h",
            "3601,  1h1s",
            "5400,  1h30m",
            "5415,  1h30m15s",
            "90000, 25h",
    })
    void format_givesTheShortestText(long seconds, String text) {
        assertThat(Durations.format(Duration.ofSeconds(seconds))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"45s", "1h30m", "2h", "1h1s", "59m59s"})
    void format_ofParse_isTheCanonicalText(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
