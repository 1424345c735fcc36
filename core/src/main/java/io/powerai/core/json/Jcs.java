package io.powerai.core.json;

import org.erdtman.jcs.NumberToJSON;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785, the JSON Canonicalization Scheme: keys sorted by their UTF-16 code units, no whitespace, strings with
 * only the escapes the RFC names, numbers as ECMAScript writes an IEEE double. What the audit log hashes, so that a
 * record's hash can be recomputed by any language's JCS implementation (Jackson's own canonical form, which writes
 * {@code 1.0E-6} where others write {@code 1e-06} or {@code 0.000001}, could be recomputed only by Java).
 *
 * <p>Works on the tree Jackson parses (maps, lists, strings, numbers, booleans, null) or any value Jackson can turn
 * into one; the number serialisation is the kept library's (java-json-canonicalization), the hard part to get right.
 */
public final class Jcs {
    private Jcs() {
    }

    /** Thrown for what has no canonical form: NaN, an infinity, a string holding a lone surrogate. */
    public static final class NotCanonicalizable extends IllegalArgumentException {
        NotCanonicalizable(String message) {
            super(message);
        }
    }

    /** The canonical UTF-8 bytes of {@code value} (a Jackson tree, or anything Jackson converts into one). */
    public static byte[] canonicalBytes(Object value) {
        Object tree = value == null || value instanceof Map || value instanceof List || value instanceof String
                || value instanceof Number || value instanceof Boolean ? value : Json.mapper().convertValue(value, Object.class);
        StringBuilder out = new StringBuilder(256);
        write(tree, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String canonical(Object value) {
        return new String(canonicalBytes(value), StandardCharsets.UTF_8);
    }

    /** ECMAScript's Number::toString of {@code value}: 1e-6 is {@code 0.000001}, 1e21 {@code 1e+21}, -0 {@code 0}. */
    public static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new NotCanonicalizable("JSON has no " + value + " (RFC 8785 section 3.2.2.3)");
        }
        try {
            return NumberToJSON.serializeNumber(value);
        } catch (IOException e) {
            throw new NotCanonicalizable(e.getMessage());
        }
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Number n) {
            out.append(number(n.doubleValue()));
        } else if (value instanceof Map<?, ?> map) {
            List<String> keys = new ArrayList<>(map.size());
            for (Object key : map.keySet()) {
                keys.add(String.valueOf(key));
            }
            // String.compareTo compares UTF-16 code units: the order RFC 8785 section 3.2.3 asks for.
            keys.sort(null);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(keys.get(i), out);
                out.append(':');
                write(map.get(keys.get(i)), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            write(Json.mapper().convertValue(value, Object.class), out);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else if (Character.isSurrogate(c)) {
                        // UTF-8 cannot carry half a pair: Java would write '?' silently, so refuse instead.
                        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            throw new NotCanonicalizable("a string holds a lone surrogate (U+" + Integer.toHexString(c).toUpperCase() + ")");
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
