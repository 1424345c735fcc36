package io.powerai.core.python;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEP 440 "Version specifiers": each operator with the PEP's own examples and its stated exceptions. */
class SpecifierTest {

    private static boolean matches(String specifier, String version) {
        return SpecifierSet.parse(specifier).contains(Version.parse(version), true);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            // Version matching: "version = 1.1.post1" (the PEP's example)
            "'==1.1', 1.1.post1, false",
            "'==1.1.post1', 1.1.post1, true",
            "'==1.1.*', 1.1.post1, true",
            // Zero padding of the release segment
            "'==1.1', 1.1.0, true",
            "'==1.1.0', 1.1, true",
            // A public == ignores the candidate's local label; a local == does not
            "'==1.1', 1.1+local.7, true",
            "'==1.1+local.7', 1.1+local.7, true",
            "'==1.1+local.7', 1.1+local.8, false",
            "'==1.1+local.7', 1.1, false",
            // Prefix matching
            "'==1.*', 1.9.9, true",
            "'==1.*', 2.0, false",
            "'==1.1.*', 1.10, false",
            "'==1.1.*', 1, false",
            "'==1.0.*', 1, true",
            "'==1.0.*', 1.0rc1, true",
            "'==2!1.*', 1.5, false",
            // Version exclusion: "!= 1.1.*" excludes 1.1.post1
            "'!=1.1.*', 1.1.post1, false",
            "'!=1.1', 1.1.post1, true",
            "'!=1.1', 1.1.0, false",
            // Inclusive ordered comparison, on the public version
            "'<=2.0', 2.0+local, true",
            "'>=2.0', 2.0+local, true",
            "'>=2.0', 1.9, false",
            // Exclusive ordered comparison: the PEP's examples
            "'>1.7', 1.7.1, true",
            "'>1.7', 1.7.0.post1, false",
            "'>1.7.post2', 1.7.1, true",
            "'>1.7.post2', 1.7.0.post3, true",
            "'>1.7.post2', 1.7.0, false",
            "'>1.7', 1.7+local, false",
            "'<3.1', 3.1.dev0, false",
            "'<3.1', 3.0.9, true",
            "'<3.1rc1', 3.1a1, true",
            "'<3.1rc1', 3.1.dev0, true",
            // Compatible release: ~=2.2 means >=2.2, ==2.*
            "'~=2.2', 2.3, true",
            "'~=2.2', 2.2, true",
            "'~=2.2', 3.0, false",
            "'~=2.2', 2.1.9, false",
            // ~=1.4.5 means >=1.4.5, ==1.4.*
            "'~=1.4.5', 1.4.9, true",
            "'~=1.4.5', 1.5.0, false",
            // ~=2.2.post3 means >=2.2.post3, ==2.*
            "'~=2.2.post3', 2.9, true",
            "'~=2.2.post3', 2.2.post2, false",
            // ~=1.4.5a4 means >=1.4.5a4, ==1.4.*
            "'~=1.4.5a4', 1.4.5, true",
            "'~=1.4.5a4', 1.4.5a3, false",
            "'~=1.4.5a4', 1.5, false",
            // ~=2.2.0 means >=2.2.0, ==2.2.*; ~=1.4.5.0 means >=1.4.5.0, ==1.4.5.*
            "'~=2.2.0', 2.2.9, true",
            "'~=2.2.0', 2.3, false",
            "'~=1.4.5.0', 1.4.5.7, true",
            "'~=1.4.5.0', 1.4.6, false",
            // Arbitrary equality: text, not versions
            "'===foobar', foobar, true",
            "'===1.0', 1.0, true",
            "'===1.0', 1.0.0, false",
            // Several clauses: all must hold
            "'>=1.0,<2.0,!=1.5.*', 1.6, true",
            "'>=1.0,<2.0,!=1.5.*', 1.5.2, false",
            "'>=1.0,<2.0,!=1.5.*', 2.0, false",
    })
    void contains_followsThePep(String specifier, String version, boolean expected) {
        if (specifier.startsWith("===")) {
            assertThat(Specifier.parse(specifier).contains(version)).isEqualTo(expected);
        } else {
            assertThat(matches(specifier, version)).isEqualTo(expected);
        }
    }

    @Test
    void contains_preReleasesAreExcludedUnlessAskedFor() {
        assertThat(SpecifierSet.parse(">=1.0").contains(Version.parse("2.0a1"))).isFalse();
        assertThat(SpecifierSet.parse(">=1.0").contains(Version.parse("2.0a1"), true)).isTrue();
        assertThat(SpecifierSet.parse(">=1.0b1").contains(Version.parse("2.0a1"))).isTrue();
        assertThat(SpecifierSet.parse("").contains(Version.parse("2.0"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"~=1", "~=1.0+local", ">=1.0+local", "<1.0.*", ">=1.*", "==1.0a1.*", "==1.0+x.*",
            "=>1.0", "==", "1.0", "== 1.0 extra", "==1.x", ">=1.0,,<2", "~=1.*"})
    void parse_invalidSpecifiers_areRefusedWithTheRule(String text) {
        assertThatThrownBy(() -> SpecifierSet.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.contains(",,") ? "empty clause" : "'");
    }

    @Test
    void parse_messages_nameTheBrokenRule() {
        assertThatThrownBy(() -> Specifier.parse("~=1")).hasMessageContaining("at least two release segments");
        assertThatThrownBy(() -> Specifier.parse(">=1.0+local")).hasMessageContaining("local version label");
        assertThatThrownBy(() -> Specifier.parse(">=1.*")).hasMessageContaining("only with == and !=");
        assertThatThrownBy(() -> Specifier.parse("==1.x")).hasMessageContaining("'1.x' is not a PEP 440 version");
    }

    @Test
    void toString_normalizesVersionsAndSortsClauses() {
        assertThat(SpecifierSet.parse(" <2.0 , >= 1.0-alpha1 ")).hasToString("<2.0,>=1.0a1");
        assertThat(SpecifierSet.parse("==1.4.*")).hasToString("==1.4.*");
        assertThat(SpecifierSet.parse("==01.0")).isEqualTo(SpecifierSet.parse("==1.0"));
    }

    @Test
    void pinnedVersion_onlyForASingleExactPin() {
        assertThat(SpecifierSet.parse("==1.2.3").pinnedVersion()).isEqualTo("1.2.3");
        assertThat(SpecifierSet.parse("===weird").pinnedVersion()).isEqualTo("weird");
        assertThat(SpecifierSet.parse("==1.2.*").pinnedVersion()).isNull();
        assertThat(SpecifierSet.parse(">=1.2").pinnedVersion()).isNull();
        assertThat(SpecifierSet.parse("").pinnedVersion()).isNull();
        assertThat(List.of(SpecifierSet.parse("==1.0,!=1.1").pinnedVersion())).containsExactly("1.0");
    }
}
