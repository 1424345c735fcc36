package io.powerai.core.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 8785's own examples (sections 3.2.2, 3.2.3 and appendix B), and the numbers Jackson's form wrote otherwise. */
class JcsTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // Appendix B: IEEE 754 bit patterns and what ECMAScript writes for them
            "0000000000000000, 0",
            "8000000000000000, 0",
            "0000000000000001, 5e-324",
            "8000000000000001, -5e-324",
            "7fefffffffffffff, 1.7976931348623157e+308",
            "ffefffffffffffff, -1.7976931348623157e+308",
            "4340000000000000, 9007199254740992",
            "c340000000000000, -9007199254740992",
            "4430000000000000, 295147905179352830000",
            "44b52d02c7e14af5, 9.999999999999997e+22",
            "44b52d02c7e14af6, 1e+23",
            "44b52d02c7e14af7, 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e, 999999999999999700000",
            "444b1ae4d6e2ef4f, 999999999999999900000",
            "444b1ae4d6e2ef50, 1e+21",
            "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
            "3eb0c6f7a0b5ed8d, 0.000001",
            "41b3de4355555553, 333333333.3333332",
            "41b3de4355555554, 333333333.33333325",
            "41b3de4355555555, 333333333.3333333",
            "41b3de4355555556, 333333333.3333334",
            "41b3de4355555557, 333333333.33333343",
            "becbf647612f3696, -0.0000033333333333333333",
            "43143ff3c1cb0959, 1424953923781206.2",
    })
    void number_rfc8785AppendixB(String bits, String expected) {
        assertThat(Jcs.number(Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"1e-06, 0.000001", "1.0E-6, 0.000001", "1e-7, 1e-7", "1e21, 1e+21", "1e20, 100000000000000000000",
            "-0, 0", "-0.0, 0", "37.0, 37", "0.99, 0.99", "4.50, 4.5", "2e-3, 0.002", "1E30, 1e+30"})
    void number_asEcmascriptWritesIt(String json, String expected) throws Exception {
        Object parsed = Json.mapper().readValue(json, Object.class);
        assertThat(Jcs.canonical(parsed)).isEqualTo(expected);
    }

    @Test
    void canonical_rfc8785Section3_2_2Example() throws Exception {
        String input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        assertThat(Jcs.canonical(Json.parseObject(input))).isEqualTo("{\"literals\":[null,true,false],"
                + "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @Test
    void canonical_sortsKeysByUtf16CodeUnits_rfc8785Section3_2_3() throws Exception {
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String out = Jcs.canonical(Json.parseObject(input));
        assertThat(out).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @Test
    void canonical_controlCharactersAsShortOrLowercaseEscapes() {
        assertThat(Jcs.canonical(List.of("\u0001\u001f\b\f\n\r\t\"\\/\u007f\u2028")))
                .isEqualTo("[\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\u007f\u2028\"]");
    }

    @Test
    void canonical_refusesWhatHasNoCanonicalForm() {
        assertThatThrownBy(() -> Jcs.canonical(List.of(Double.NaN))).isInstanceOf(Jcs.NotCanonicalizable.class);
        assertThatThrownBy(() -> Jcs.canonical(Map.of("k", Double.POSITIVE_INFINITY))).isInstanceOf(Jcs.NotCanonicalizable.class);
        assertThatThrownBy(() -> Jcs.canonical("\ud800x")).isInstanceOf(Jcs.NotCanonicalizable.class);
    }
}
