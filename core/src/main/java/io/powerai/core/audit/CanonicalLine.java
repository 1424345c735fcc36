package io.powerai.core.audit;

import java.nio.charset.StandardCharsets;

/**
 * The fast path of {@link AuditLog#verify()}: one pass over a line's bytes that decides whether the line is already
 * written in a record's canonical form, and where its top-level members are. When it is, the bytes the hash covers
 * are the line with its {@code "hash":"..."} member cut out, so verifying costs a scan and a SHA-256 instead of a
 * parse into maps and a serialisation back. Whenever the scan is not sure (an escape it does not check, a key that is
 * not plain ASCII, a nesting too deep, a member of an unexpected type, anything that is not JSON) it answers
 * {@code false} and the line takes the slow path, which parses and canonicalises it; so the fast path never decides
 * differently from the slow one, it only decides sooner.
 */
final class CanonicalLine extends CanonicalValues {
    private static final byte[] HASH = bytes("hash");
    private static final byte[] PREV = bytes("prev");
    private static final byte[] STAGE = bytes("stage");
    private static final byte[] SEQ = bytes("seq");
    private static final byte[] HASH_FORM = bytes("hashForm");

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
}
