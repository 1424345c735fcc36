package io.powerai.core.lineage;

/** Short forms for a picture: the first 12 hex digits of a digest, the last name of an image. The full values go in tooltips. */
final class Short {
    static final int DIGITS = 12;

    private Short() {
    }

    /** {@code sha256:0123...} or {@code 0123...} as its first 12 digits; null stays null. */
    static String digest(String digest) {
        if (digest == null) {
            return null;
        }
        String hex = digest.startsWith("sha256:") ? digest.substring("sha256:".length()) : digest;
        return hex.length() > DIGITS ? hex.substring(0, DIGITS) : hex;
    }

    /** {@code registry:5000/team/name:tag} or {@code ...@sha256:...} as {@code name}: the digest beside it says which. */
    static String image(String reference) {
        if (reference == null) {
            return null;
        }
        String withoutDigest = reference.contains("@") ? reference.substring(0, reference.indexOf('@')) : reference;
        String name = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
        return name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
    }
}
