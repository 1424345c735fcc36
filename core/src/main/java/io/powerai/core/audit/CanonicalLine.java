package io.powerai.core.audit;

import io.powerai.core.json.Jcs;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The fast path of {@link AuditLog#verify()}: one pass over a line's bytes that decides whether the line is already
 * written in a record's canonical form, and where its top-level members are. When it is, the bytes the hash covers
 * are the line with its {@code "hash":"..."} member cut out, so verifying costs a scan and a SHA-256 instead of a
 * parse into maps and a serialisation back. Whenever the scan is not sure (an escape it does not check, a key that is
 * not plain ASCII, a nesting too deep, a member of an unexpected type, anything that is not JSON) it answers
 * {@code false} and the line takes the slow path, which parses and canonicalises it; so the fast path never decides
 * differently from the slow one, it only decides sooner.
 */
final class CanonicalLine {
    private static final int MAX_DEPTH = 32;
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    /**
     * A decimal without exponent, at most 15 significant digits, no trailing zero, between 1e-6 and 1e21: what
     * ECMAScript writes for the double it denotes (15 digits always come back from a double as they went in, so the
     * shortest form has these digits), decided without formatting the number.
     */
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?(0\\.0{0,5}[1-9]|[1-9][0-9]*\\.)([0-9]*[1-9])?");
    private static final byte[] HASH = bytes("hash");
    private static final byte[] PREV = bytes("prev");
    private static final byte[] STAGE = bytes("stage");
    private static final byte[] SEQ = bytes("seq");
    private static final byte[] HASH_FORM = bytes("hashForm");

    /** Bytes a string holds as they are in both forms, with nothing to check: printable ASCII but '"' and '\\'. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int c = 0x20; c < 0x7F; c++) {
            PLAIN[c] = c != '"' && c != '\\';
        }
    }

    private byte[] b;
    private int pos;
    private int end;

    /** Canonical in each form so far: the two differ only in how numbers with a fraction and non-BMP text are written. */
    boolean jcs;
    boolean jackson;
    /** The span of the hash member together with one comma beside it: what the hashed bytes leave out. */
    int cutFrom;
    int cutTo;
    String hash;
    String prev;
    String stage;
    String hashForm;
    long seq;
    boolean hasSeq;
    /** What the last {@link #scan} answered (kept for tests). */
    boolean ok;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Scans one JSON object from {@code bytes[from]}, not past {@code limit}; true when it is an object in at least one
     * canonical form, all of it understood; {@link #end()} is then where it ends. A canonical line holds no '\n', so
     * the scan fails at the first '\n' it meets: the caller needs a '\n' at {@code bytes[limit]} or before it.
     */
    boolean scan(byte[] bytes, int from, int limit) {
        b = bytes;
        pos = from;
        end = limit;
        jcs = true;
        jackson = true;
        cutFrom = -1;
        cutTo = -1;
        hash = null;
        prev = null;
        stage = null;
        hashForm = null;
        hasSeq = false;
        try {
            ok = topLevel() && pos <= end && (jcs || jackson);
        } catch (ArrayIndexOutOfBoundsException e) {
            ok = false;
        }
        return ok;
    }

    /** Where the object the last successful {@link #scan} read ends (exclusive). */
    int end() {
        return pos;
    }

    private boolean topLevel() {
        if (pos >= end || b[pos] != '{') {
            return false;
        }
        pos++;
        if (pos < end && b[pos] == '}') {
            pos++;
            return true;
        }
        int keyFrom = -1;
        int keyTo = -1;
        while (true) {
            int memberStart = pos;
            int k0 = pos + 1;
            if (!plainKey()) {
                return false;
            }
            int k1 = pos - 2;
            if (keyFrom >= 0 && compare(keyFrom, keyTo, k0, k1) >= 0) {
                return false;
            }
            keyFrom = k0;
            keyTo = k1;
            int valueStart = pos;
            if (!member(k0, k1, valueStart)) {
                return false;
            }
            if (cutFrom == memberStart) {
                // the hash member: cut the comma before it, or the one after it when it comes first
                if (memberStart > 0 && b[memberStart - 1] == ',') {
                    cutFrom = memberStart - 1;
                    cutTo = pos;
                } else {
                    cutTo = pos < end && b[pos] == ',' ? pos + 1 : pos;
                }
            }
            if (pos >= end) {
                return false;
            }
            if (b[pos] == '}') {
                pos++;
                return true;
            }
            if (b[pos] != ',') {
                return false;
            }
            pos++;
        }
    }

    /** One top-level member's value, remembering those the chain needs. */
    private boolean member(int k0, int k1, int valueStart) {
        if (is(k0, k1, HASH)) {
            cutFrom = k0 - 1;
            hash = plainString();
            return hash != null;
        }
        if (is(k0, k1, PREV)) {
            prev = plainString();
            return prev != null;
        }
        if (is(k0, k1, STAGE)) {
            stage = plainString();
            return stage != null;
        }
        if (is(k0, k1, HASH_FORM)) {
            hashForm = plainString();
            return hashForm != null;
        }
        if (is(k0, k1, SEQ)) {
            long value = 0;
            int digits = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                value = value * 10 + (b[pos++] - '0');
                digits++;
            }
            // a canonical positive integer of a few digits; anything else goes the slow way
            if (digits == 0 || digits > 15 || (digits > 1 && b[valueStart] == '0') || (pos < end && isNumberPart(b[pos]))) {
                return false;
            }
            seq = value;
            hasSeq = true;
            return true;
        }
        return value(1);
    }

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

    private static boolean isNumberPart(byte c) {
        return c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+' || (c >= '0' && c <= '9');
    }

    private boolean is(int from, int to, byte[] name) {
        if (to - from != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (b[from + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private int compare(int a0, int a1, int b0, int b1) {
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
    private boolean plainKey() {
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

    /** A string of printable ASCII without escapes, as the chain's own members are; null otherwise. */
    private String plainString() {
        if (pos >= end || b[pos] != '"') {
            return null;
        }
        int start = ++pos;
        while (true) {
            byte c = b[pos];
            if (c == '"') {
                break;
            }
            if (c < 0x20 || c == '\\') {
                return null;
            }
            pos++;
        }
        String value = new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
        pos++;
        return value;
    }

    private boolean value(int depth) {
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
