package io.powerai.core.audit;

import io.powerai.core.json.Jcs;
import io.powerai.core.json.Json;

/**
 * The bytes a record's hash is computed over: the record without its {@code hash} member, in one canonical form. A
 * record names its form in {@code hashForm}; a log may hold records of the old form followed by new ones, the chain
 * running on across them (a new record's {@code prev} is the old record's hash).
 */
enum HashForm {
    /**
     * Records written before {@code hashForm} existed (the field is absent): Jackson's key-sorted compact form, which
     * writes doubles as Java's {@code Double.toString} does ({@code 1.0E-6}) and characters outside the BMP as
     * {@code \\uD83D\\uDE00}. Verified, never written any more.
     */
    JACKSON(null),
    /** RFC 8785: what every record is written in now, so that any language's JCS library recomputes the hash. */
    JCS("jcs");

    private final String field;

    HashForm(String field) {
        this.field = field;
    }

    /** The value of {@code hashForm} on a record of this form; null for the old form, which has none. */
    String field() {
        return field;
    }

    /** The form a record's {@code hashForm} member names, or null when it names none that this version knows. */
    static HashForm named(Object field) {
        if (field == null) {
            return JACKSON;
        }
        return JCS.field.equals(field) ? JCS : null;
    }

    /** The canonical bytes of a parsed record (a Jackson tree) in this form. */
    byte[] canonicalBytes(Object tree) {
        return this == JCS ? Jcs.canonicalBytes(tree) : Json.canonicalBytes(tree);
    }
}
