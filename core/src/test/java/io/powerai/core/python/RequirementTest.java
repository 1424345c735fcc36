package io.powerai.core.python;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEP 508's grammar, with the examples from the PEP's text, and PEP 503 name normalization. */
class RequirementTest {
    private static final Map<String, String> LINUX_311 = Marker.linuxEnvironment("3.11.2", "x86_64");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            // The PEP's list of valid requirements
            "A",
            "A.B-C_D",
            "aa",
            "name",
            "name<=1",
            "name>=3",
            "name>=3,<2",
            "name@http://foo.com",
            "name [fred,bar] @ http://foo.com ; python_version=='2.7'",
            "name[quux, strange];python_version<'2.7' and platform_version=='2'",
            "name; os_name=='a' or os_name=='b'",
            "name; os_name=='a' and os_name=='b' or os_name=='c'",
            "name; os_name=='a' and (os_name=='b' or os_name=='c')",
            "name; os_name=='a' or os_name=='b' and os_name=='c'",
            "name; (os_name=='a' or os_name=='b') and os_name=='c'",
            // The PEP's introductory examples
            "requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < \"2.7\"",
            "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
            "name (>=1.0, <2.0)",
    })
    void parse_thePepsExamples_areValid(String text) {
        Requirement r = Requirement.parse(text);
        assertThat(r.name()).isNotBlank();
        // The normalized form parses back to the same requirement.
        assertThat(Requirement.parse(r.toString())).hasToString(r.toString());
    }

    @Test
    void parse_theFullExample_hasEveryPart() {
        Requirement r = Requirement.parse("requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < \"2.7\"");

        assertThat(r.name()).isEqualTo("requests");
        assertThat(r.extras()).containsExactly("security", "tests");
        assertThat(r.specifier()).hasToString("==2.8.*,>=2.8.1");
        assertThat(r.url()).isNull();
        assertThat(r.marker()).hasToString("python_version < \"2.7\"");
        assertThat(r).hasToString("requests[security,tests]==2.8.*,>=2.8.1; python_version < \"2.7\"");
        assertThat(r.appliesIn(LINUX_311)).isFalse();
    }

    @Test
    void parse_urlRequirement_keepsTheUrlAndMarker() {
        Requirement r = Requirement.parse("name [fred,bar] @ http://foo.com ; python_version=='2.7'");

        assertThat(r.url()).isEqualTo("http://foo.com");
        assertThat(r.extras()).containsExactly("bar", "fred");
        assertThat(r.isPinned()).isFalse();
        assertThat(r).hasToString("name[bar,fred] @ http://foo.com ; python_version == \"2.7\"");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "Django, django",
            "Foo.Bar_baz, foo-bar-baz",
            "foo--bar, foo-bar",
            "FOO___bar.-baz, foo-bar-baz",
            "scikit_learn, scikit-learn",
    })
    void normalizedName_followsPep503(String name, String normalized) {
        assertThat(PackageName.normalize(name)).isEqualTo(normalized);
        assertThat(Requirement.parse(name + "==1.0").normalizedName()).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "-name | expected a project name",
            "name- | must start and end with a letter or digit",
            "name[ | expected ']'",
            "name[foo bar] | is not a valid extra name",
            "name (>=1.0 | expected ')'",
            "name==1.x | '1.x' is not a PEP 440 version",
            "name>=1.0; | expected a marker after ';'",
            "name; python_versoin < '3' | unknown marker variable 'python_versoin'",
            "name; python_version <> '3' | expected a comparison operator",
            "name; python_version < '3 | unterminated string",
            "name @ | expected a URL",
            "name @ http://x.org/a.zip extra | expected ';' and a marker after the URL",
            "name ~ 1.0 | not a version specifier",
    })
    void parse_invalidRequirements_sayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Requirement.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
