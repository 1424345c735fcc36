package io.powerai.core.audit;

import io.powerai.core.json.Jcs;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The JSON values of {@link CanonicalLine}'s scan, each accepted only as its record's canonical form writes it:
 * keys of plain ASCII in strictly increasing order, no whitespace, the short escapes both forms write, well-formed
 * UTF-8, numbers as each form writes them ({@link #jcs} and {@link #jackson} say which forms the line is still in).
 * Anything it is not sure of fails the scan, which sends the line to the slow path.
 */
abstract class CanonicalValues {
    private static final int MAX_DEPTH = 32;
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    /**
     * A decimal without exponent, at most 15 significant digits, no trailing zero, between 1e-6 and 1e21: what
     * ECMAScript writes for the double it denotes (15 digits always come back from a double as they went in, so the
     * shortest form has these digits), decided without formatting the number.
     */
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?(0\\.0{0,5}[1-9]|[1-9][0-9]*\\.)([0-9]*[1-9])?");

    /** Bytes a string holds as they are in both forms, with nothing to check: printable ASCII but '"' and '\\'. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int c = 0x20; c < 0x7F; c++) {
            PLAIN[c] = c != '"' && c != '\\';
        }
    }

    byte[] b;
    int pos;
    int end;

    /** Canonical in each form so far: the two differ only in how numbers with a fraction and non-BMP text are written. */
    boolean jcs;
    boolean jackson;

    private static boolean plainDecimal(String token) {
        if (!PLAIN_DECIMAL.matcher(token).matches() || token.indexOf('.') < 0) {
            return false;
        }
        int significant = 0;
        boolean leading = true;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= '1' && c <= '9' || (c == '0' && !leading)) {
                leading = false;
                significant++;
            }
        }
        return significant <= 15;
    }

    static boolean isNumberPart(byte c) {
        return c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+' || (c >= '0' && c <= '9');
    }

    final int compare(int a0, int a1, int b0, int b1) {
        int n = Math.min(a1 - a0, b1 - b0);
        for (int i = 0; i < n; i++) {
            int d = (b[a0 + i] & 0xFF) - (b[b0 + i] & 0xFF);
            if (d != 0) {
                return d;
            }
        }
        return (a1 - a0) - (b1 - b0);
    }

    /** A key of printable ASCII without escapes (byte order is then UTF-16 order), followed by ':'. */
    final boolean plainKey() {
        if (b[pos] != '"') {
            return false;
        }
        pos++;
        while (true) {
            byte c = b[pos];
            if (c == '"') {
                break;
            }
            if (c < 0x20 || c == '\\') {
                return false;
            }
            pos++;
        }
        pos++;
        if (b[pos] != ':') {
            return false;
        }
        pos++;
        return true;
    }

    final boolean value(int depth) {
        if (pos >= end || depth > MAX_DEPTH) {
            return false;
        }
        byte c = b[pos];
        switch (c) {
            case '"':
                return string();
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    private boolean object(int depth) {
        pos++;
        if (b[pos] == '}') {
            pos++;
            return true;
        }
        int prevFrom = -1;
        int prevTo = -1;
        while (true) {
            int k0 = pos + 1;
            if (!plainKey()) {
                return false;
            }
            int k1 = pos - 2;
            if (prevFrom >= 0 && compare(prevFrom, prevTo, k0, k1) >= 0) {
                return false;
            }
            prevFrom = k0;
            prevTo = k1;
            if (!value(depth)) {
                return false;
            }
            byte c = b[pos++];
            if (c == '}') {
                return true;
            }
            if (c != ',') {
                return false;
            }
        }
    }

    private boolean array(int depth) {
        pos++;
        if (b[pos] == ']') {
            pos++;
            return true;
        }
        while (true) {
            if (!value(depth)) {
                return false;
            }
            byte c = b[pos++];
            if (c == ']') {
                return true;
            }
            if (c != ',') {
                return false;
            }
        }
    }

    private boolean literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (b[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        pos += word.length();
        return true;
    }

    /**
     * A string in canonical form: only the short escapes both forms write (\" \\ \b \f \n \r \t), any other
     * escape (\\u, \/) sent the slow way; text as well-formed UTF-8, which Jackson's form writes as it is but for
     * characters outside the BMP, which it escapes.
     */
    private boolean string() {
        pos++;
        while (true) {
            int c = b[pos] & 0xFF;
            if (PLAIN[c]) {
                pos++;
                continue;
            }
            if (c == '"') {
                pos++;
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c == '\\') {
                byte e = b[pos + 1];
                if (e != '"' && e != '\\' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                    return false;
                }
                pos += 2;
            } else if (c < 0x80) {
                pos++;
            } else if (!utf8(c)) {
                return false;
            }
        }
    }

    /** One well-formed UTF-8 sequence starting with lead byte {@code c} (no overlong forms, surrogates or > U+10FFFF). */
    private boolean utf8(int c) {
        int n;
        int min;
        int cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            min = 0x80;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            min = 0x800;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            min = 0x10000;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            int cc = b[pos + i] & 0xFF;
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        if (cp >= 0x10000) {
            jackson = false;
        }
        pos += n + 1;
        return true;
    }

    /**
     * A number as canonical: an integer of up to 15 digits is written alike in both forms; any other is compared
     * with what each form writes for its value.
     */
    private boolean number() {
        int start = pos;
        boolean integer = true;
        if (b[pos] == '-') {
            pos++;
        }
        int digitsFrom = pos;
        while (pos < end && isNumberPart(b[pos])) {
            byte c = b[pos];
            if (c < '0' || c > '9') {
                integer = false;
            }
            pos++;
        }
        int digits = pos - digitsFrom;
        if (digits == 0) {
            return false;
        }
        if (integer && digits <= 15) {
            boolean leadingZero = digits > 1 && b[digitsFrom] == '0';
            boolean minusZero = digits == 1 && b[digitsFrom] == '0' && start != digitsFrom;
            return !leadingZero && !minusZero;
        }
        String token = new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
        if (!JSON_NUMBER.matcher(token).matches()) {
            return false;
        }
        double value = Double.parseDouble(token);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return false;
        }
        jcs &= plainDecimal(token) || Jcs.number(value).equals(token);
        // Jackson's form: an integer keeps its digits, a number with a fraction or exponent is a double
        jackson &= integer || Double.toString(value).equals(token);
        return true;
    }
}
