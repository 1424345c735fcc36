package io.powerai.core.python;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEP 508 markers: precedence as the PEP's examples state it, and evaluation against a marker environment. */
class MarkerTest {
    /** The PEP's sample environment values (CPython 3.4 on Linux), with os_name set per case below. */
    private static Map<String, String> env(String osName) {
        Map<String, String> env = new HashMap<>(Marker.linuxEnvironment("3.4.0", "x86_64"));
        env.put("platform_release", "3.14.1-x86_64-linode39");
        env.put("platform_version", "#1 SMP Fri Apr 25 13:07:35 EDT 2014");
        env.put("os_name", osName);
        return env;
    }

    @ParameterizedTest(name = "{0} with os_name={1}: {2}")
    @CsvSource(delimiter = '|', value = {
            // "Should parse as (a and b) or c"
            "os_name=='a' and os_name=='b' or os_name=='c' | c | true",
            "os_name=='a' and os_name=='b' or os_name=='c' | a | false",
            // "Overriding precedence -> a and (b or c)"
            "os_name=='a' and (os_name=='b' or os_name=='c') | c | false",
            // "should parse as a or (b and c)"
            "os_name=='a' or os_name=='b' and os_name=='c' | a | true",
            "os_name=='a' or os_name=='b' and os_name=='c' | b | false",
            // "Overriding precedence -> (a or b) and c"
            "(os_name=='a' or os_name=='b') and os_name=='c' | a | false",
    })
    void evaluate_precedenceAsThePepStatesIt(String marker, String osName, boolean expected) {
        assertThat(Marker.parse(marker).evaluate(env(osName))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "python_version < '2.7' | false",
            "python_version >= '3.4' | true",
            "python_version == '3.4' | true",
            "python_full_version == '3.4.0' | true",
            "python_version ~= '3.1' | true",
            "python_version == '3.*' | true",
            "'3.5' < python_version | false",
            "'3.3' < python_version | true",
            "sys_platform == 'linux' and platform_machine == 'x86_64' | true",
            "sys_platform == 'win32' | false",
            "platform_system != 'Windows' | true",
            "'linux' in sys_platform | true",
            "'win' not in sys_platform | true",
            "'x86' in platform_machine | true",
            "platform_release >= '3' | true",
            "platform_python_implementation == 'CPython' | true",
            "implementation_name == \"cpython\" and implementation_version >= '3.4' | true",
            "os.name == 'posix' | true",
            "sys.platform == 'linux' | true",
            "extra == 'test' | false",
    })
    void evaluate_againstALinuxCpython(String marker, boolean expected) {
        assertThat(Marker.parse(marker).evaluate(env("posix"))).isEqualTo(expected);
    }

    @Test
    void evaluate_extra_comparesNormalizedNames() {
        Map<String, String> env = env("posix");
        env.put("extra", "Security_Tests");
        assertThat(Marker.parse("extra == 'security-tests'").evaluate(env)).isTrue();
    }

    @Test
    void toString_isNormalized() {
        assertThat(Marker.parse("python_version<'3'  and(os_name=='a' or os_name==\"b\")"))
                .hasToString("python_version < \"3\" and (os_name == \"a\" or os_name == \"b\")");
        assertThat(Marker.parse("os.name=='posix'")).hasToString("os_name == \"posix\"");
    }

    @Test
    void parse_errorsSayWhereAndWhat() {
        assertThatThrownBy(() -> Marker.parse("python_version < '3' and")).hasMessageContaining("column")
                .hasMessageContaining("expected a marker variable or a quoted string");
        assertThatThrownBy(() -> Marker.parse("python_version < '3' or (os_name == 'a'")).hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> Marker.parse("pyhton_version < '3'")).hasMessageContaining("unknown marker variable 'pyhton_version'");
        assertThatThrownBy(() -> Marker.parse("python_version < '3' xor os_name == 'a'"))
                .hasMessageContaining("expected 'and', 'or' or the end");
    }
}
