package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.image.ImageReference;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Comparing and showing the digests the audit log names things by. */
final class Digest {
    private static final Pattern HEX64 = Pattern.compile("(sha256:)?([0-9a-f]{64})");
    private static final Pattern EMBEDDED = Pattern.compile("(sha256:)([0-9a-f]{64})");

    private Digest() {
    }

    /** {@code sha256:0123456789ab…} for a digest, the same inside an image reference, anything else as it is. */
    static String shorten(String value) {
        if (value == null) {
            return null;
        }
        Matcher whole = HEX64.matcher(value);
        if (whole.matches()) {
            return (whole.group(1) == null ? "" : whole.group(1)) + whole.group(2).substring(0, 12) + "\u2026";
        }
        Matcher embedded = EMBEDDED.matcher(value);
        StringBuilder out = new StringBuilder();
        while (embedded.find()) {
            embedded.appendReplacement(out, Matcher.quoteReplacement(embedded.group(1) + embedded.group(2).substring(0, 12) + "\u2026"));
        }
        embedded.appendTail(out);
        return out.toString();
    }

    /**
     * Whether two image references name the same image: by repository and digest when both are pinned (a tag
     * beside a digest does not change the image), else by their normalised form.
     */
    static boolean sameImage(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        Optional<ImageReference> ra = parse(a);
        Optional<ImageReference> rb = parse(b);
        if (ra.isEmpty() || rb.isEmpty()) {
            return a.equals(b);
        }
        ImageReference x = ra.get();
        ImageReference y = rb.get();
        if (x.digest().isPresent() && y.digest().isPresent()) {
            return x.name().equals(y.name()) && x.digest().equals(y.digest());
        }
        return x.toString().equals(y.toString());
    }

    private static Optional<ImageReference> parse(String reference) {
        try {
            return Optional.of(ImageReference.parse(reference));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
