package io.powerai.core.python;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEP 440's own examples: its ordering list, its normalization rules, its epoch and local-version rules. */
class VersionTest {
    /** "Summary of permitted suffixes and relative ordering": the PEP's list, in the PEP's order. */
    private static final List<String> PEP_ORDER = List.of(
            "1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
            "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7",
            "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1");

    @Test
    void compare_thePepsOrderingExample_sortsAsListed() {
        List<Version> shuffled = new ArrayList<>(PEP_ORDER.stream().map(Version::parse).toList());
        Collections.shuffle(shuffled, new Random(440));
        Collections.sort(shuffled);

        assertThat(shuffled.stream().map(Version::toString).toList()).containsExactlyElementsOf(PEP_ORDER);
    }

    @Test
    void compare_eachNeighbourInThePepsList_isStrictlyLess() {
        for (int i = 0; i + 1 < PEP_ORDER.size(); i++) {
            Version a = Version.parse(PEP_ORDER.get(i));
            Version b = Version.parse(PEP_ORDER.get(i + 1));
            assertThat(a.compareTo(b)).as("%s < %s", a, b).isNegative();
            assertThat(b.compareTo(a)).as("%s > %s", b, a).isPositive();
        }
    }

    @Test
    void compare_epochs_lowerEpochAlwaysSortsFirst() {
        // PEP 440 "Version epochs": 1!1.0 sorts after 2013.10 and 2014.04.
        assertThat(Version.parse("2013.10")).isLessThan(Version.parse("1!1.0"));
        assertThat(Version.parse("2014.04")).isLessThan(Version.parse("1!1.0"));
        assertThat(Version.parse("1!1.0")).isLessThan(Version.parse("1!1.1"));
        assertThat(Version.parse("1.0")).isLessThan(Version.parse("2!0.1"));
    }

    @Test
    void equals_trailingZerosInTheRelease_areInsignificant() {
        assertThat(Version.parse("1.0")).isEqualTo(Version.parse("1.0.0")).isEqualTo(Version.parse("1"))
                .hasSameHashCodeAs(Version.parse("1.0.0.0"));
        assertThat(Version.parse("1.0.1")).isNotEqualTo(Version.parse("1.0"));
    }

    @Test
    void compare_localVersions_numericSegmentsSortAfterAlphanumericAndLongerAfterShorter() {
        assertThat(Version.parse("1.0+abc")).isLessThan(Version.parse("1.0+1"));
        assertThat(Version.parse("1.0+1")).isLessThan(Version.parse("1.0+1.1"));
        assertThat(Version.parse("1.0+abc.2")).isLessThan(Version.parse("1.0+abc.10"));
        assertThat(Version.parse("1.0")).isLessThan(Version.parse("1.0+anything"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // Case sensitivity, integer normalization
            "1.1RC1, 1.1rc1",
            "1.01.0002, 1.1.2",
            "00!1.0, 1.0",
            // Pre-release separators, spelling, implicit number
            "1.1.a1, 1.1a1",
            "1.1-a1, 1.1a1",
            "1.0a.1, 1.0a1",
            "1.1alpha1, 1.1a1",
            "1.1beta2, 1.1b2",
            "1.1c3, 1.1rc3",
            "1.1pre4, 1.1rc4",
            "1.1preview5, 1.1rc5",
            "1.2a, 1.2a0",
            // Post-release separators, spelling, implicit number, implicit post release
            "1.2-post2, 1.2.post2",
            "1.2post2, 1.2.post2",
            "1.2.post-2, 1.2.post2",
            "1.0-r4, 1.0.post4",
            "1.0-rev4, 1.0.post4",
            "1.2.post, 1.2.post0",
            "1.0-1, 1.0.post1",
            // Development release separators and implicit number
            "1.2-dev2, 1.2.dev2",
            "1.2dev2, 1.2.dev2",
            "1.2.dev, 1.2.dev0",
            // Local version segments
            "1.0+ubuntu-1, 1.0+ubuntu.1",
            "1.0+ubuntu_1, 1.0+ubuntu.1",
            "1.0+Ubuntu.01, 1.0+ubuntu.1",
            // Preceding v character, whitespace
            "v1.0, 1.0",
            "'  1.0\t', 1.0",
            // Everything at once
            "1!2.0rc1.post3.dev4+local.5, 1!2.0rc1.post3.dev4+local.5",
    })
    void toString_normalizesAsThePepSays(String given, String normalized) {
        assertThat(Version.parse(given)).hasToString(normalized);
        assertThat(Version.parse(given)).isEqualTo(Version.parse(normalized));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.", ".1", "1..0", "1.0-", "french toast", "1.0+", "1.0+a..b", "1.0++local",
            "1.0a1a2", "1.0.postX", "1!", "!1.0", "1.0 .1", "1.0-local+", "99999999999999999999.0"})
    void parse_invalidVersions_areRefusedWithTheRule(String text) {
        assertThat(Version.tryParse(text)).isNull();
        assertThatThrownBy(() -> Version.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a PEP 440 version");
    }

    /** Digits-and-dots pins take a fast path; the PEP's regex (reached here by a leading 'v') must agree with it. */
    @ParameterizedTest
    @ValueSource(strings = {"1.26.4", "0", "007.010", "2023.10.1.0.0", "123456789012345678.1", "1.0000000000000000001"})
    void parse_plainReleases_sameVersionAsThePepsRegexGives(String text) {
        Version fast = Version.parse(text);
        Version general = Version.parse("v" + text);

        assertThat(fast).isEqualTo(general).hasToString(general.toString());
        assertThat(fast.compareTo(general)).isZero();
        assertThat(fast.isPrerelease() || fast.isPostrelease() || fast.hasLocal()).isFalse();
    }

    @Test
    void classification_preDevPostAndLocal() {
        assertThat(Version.parse("1.0a1").isPrerelease()).isTrue();
        assertThat(Version.parse("1.0.dev1").isPrerelease()).isTrue();
        assertThat(Version.parse("1.0.post1").isPrerelease()).isFalse();
        assertThat(Version.parse("1.0.post1").isPostrelease()).isTrue();
        assertThat(Version.parse("1.0+x").hasLocal()).isTrue();
        assertThat(Version.parse("1!2.0rc1.post3+x").baseVersion()).hasToString("1!2.0");
        assertThat(Version.parse("1.0+x").publicVersion()).hasToString("1.0");
    }
}
