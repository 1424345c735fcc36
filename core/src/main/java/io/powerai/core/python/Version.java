package io.powerai.core.python;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEP 440 version: {@code [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]}, parsed with the PEP's permitted
 * spellings ({@code 1.0-alpha.1}, {@code v1.0}, {@code 1.0-1}, {@code 1.0.post}), normalized by
 * {@link #toString()}, and totally ordered as the PEP orders them: epoch, release (trailing zeros ignored),
 * then dev &lt; pre &lt; final &lt; post, and a local label after the public version it extends.
 */
public final class Version implements Comparable<Version> {
    // The PEP's own appendix regex, spelled out; case-insensitive, surrounding whitespace allowed.
    private static final Pattern PATTERN = Pattern.compile(
            "\\s*v?"
                    + "(?:(?<epoch>[0-9]+)!)?"
                    + "(?<release>[0-9]+(?:\\.[0-9]+)*)"
                    + "(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?"
                    + "(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?"
                    + "(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?"
                    + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?"
                    + "\\s*",
            Pattern.CASE_INSENSITIVE);

    private final String text;
    private final long epoch;
    private final long[] release;
    private final String preLabel; // a, b, rc or null
    private final long preNumber;
    private final Long post;
    private final Long dev;
    private final List<Object> local; // String or Long segments; null when absent

    private Version(String text, long epoch, long[] release, String preLabel, long preNumber, Long post, Long dev, List<Object> local) {
        this.text = text;
        this.epoch = epoch;
        this.release = release;
        this.preLabel = preLabel;
        this.preNumber = preNumber;
        this.post = post;
        this.dev = dev;
        this.local = local;
    }

    /** Parses {@code text}; the exception's message says what a version looks like. */
    public static Version parse(String text) {
        Version v = tryParse(text);
        if (v == null) {
            throw new IllegalArgumentException("'" + text + "' is not a PEP 440 version (like 1.2, 1.2.3rc1, 2!1.0.post2.dev3, 1.0+local.1)");
        }
        return v;
    }

    /** The version, or null when {@code text} is not one. */
    public static Version tryParse(String text) {
        if (text == null) {
            return null;
        }
        long[] plain = plainRelease(text);
        if (plain != null) {
            return new Version(text, 0, plain, null, 0, null, null, null);
        }
        Matcher m = PATTERN.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            long epoch = m.group("epoch") == null ? 0 : number(m.group("epoch"));
            String[] parts = m.group("release").split("\\.");
            long[] release = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                release[i] = number(parts[i]);
            }
            String preLabel = null;
            long preNumber = 0;
            if (m.group("pre") != null) {
                preLabel = switch (m.group("preL").toLowerCase(Locale.ROOT)) {
                    case "alpha", "a" -> "a";
                    case "beta", "b" -> "b";
                    default -> "rc"; // c, pre, preview, rc
                };
                preNumber = m.group("preN") == null ? 0 : number(m.group("preN"));
            }
            Long post = null;
            if (m.group("post") != null) {
                String n = m.group("postN1") != null ? m.group("postN1") : m.group("postN2");
                post = n == null ? 0L : number(n);
            }
            Long dev = null;
            if (m.group("dev") != null) {
                dev = m.group("devN") == null ? 0L : number(m.group("devN"));
            }
            List<Object> local = null;
            if (m.group("local") != null) {
                local = new ArrayList<>();
                for (String segment : m.group("local").toLowerCase(Locale.ROOT).split("[-_.]")) {
                    local.add(segment.chars().allMatch(Character::isDigit) ? (Object) number(segment) : segment);
                }
                local = List.copyOf(local);
            }
            return new Version(text, epoch, release, preLabel, preNumber, post, dev, local);
        } catch (NumberFormatException e) {
            return null; // a component too large for 64 bits
        }
    }

    /**
     * The release of a version that is only digits and dots ({@code 1.26.4}, most pins), or null for anything else.
     * A fast path, not a second grammar: a cold JVM interprets the PEP's regex for every pin of a large lock file,
     * and this form is what the regex would give the same answer for.
     */
    private static long[] plainRelease(String text) {
        int n = text.length();
        if (n == 0 || n > 64) {
            return null;
        }
        int parts = 1;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (i == 0 || i == n - 1 || text.charAt(i - 1) == '.') {
                    return null;
                }
                parts++;
            } else if (c < '0' || c > '9') {
                return null;
            }
        }
        long[] release = new long[parts];
        int start = 0;
        for (int k = 0; k < parts; k++) {
            int end = text.indexOf('.', start);
            if (end < 0) {
                end = n;
            }
            if (end - start > 18) {
                return null; // maybe beyond 64 bits: the general path decides
            }
            release[k] = Long.parseLong(text, start, end, 10);
            start = end + 1;
        }
        return release;
    }

    private static long number(String digits) {
        return Long.parseLong(digits);
    }

    public long epoch() {
        return epoch;
    }

    public long[] release() {
        return release.clone();
    }

    /** The text as it was given, which {@code ===} compares. */
    public String original() {
        return text;
    }

    public boolean isPrerelease() {
        return preLabel != null || dev != null;
    }

    public boolean isPostrelease() {
        return post != null;
    }

    public boolean isDevrelease() {
        return dev != null;
    }

    public boolean hasLocal() {
        return local != null;
    }

    public String localLabel() {
        if (local == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (Object segment : local) {
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(segment);
        }
        return out.toString();
    }

    /** The version without its local label. */
    public Version publicVersion() {
        return local == null ? this : new Version(text, epoch, release, preLabel, preNumber, post, dev, null);
    }

    /** Epoch and release only: {@code 1!2.0rc1.post3} has base version {@code 1!2.0}. */
    public Version baseVersion() {
        return new Version(text, epoch, release, null, 0, null, null, null);
    }

    /** The normalized form of the PEP: {@code 1.0-ALPHA.1} is {@code 1.0a1}, {@code v1.0-r4} is {@code 1.0.post4}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (epoch != 0) {
            out.append(epoch).append('!');
        }
        for (int i = 0; i < release.length; i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(release[i]);
        }
        if (preLabel != null) {
            out.append(preLabel).append(preNumber);
        }
        if (post != null) {
            out.append(".post").append(post);
        }
        if (dev != null) {
            out.append(".dev").append(dev);
        }
        if (local != null) {
            out.append('+').append(localLabel());
        }
        return out.toString();
    }

    private int releaseLength() {
        int n = release.length;
        while (n > 1 && release[n - 1] == 0) {
            n--;
        }
        return n;
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(epoch, o.epoch);
        if (c != 0) {
            return c;
        }
        int n = Math.max(releaseLength(), o.releaseLength());
        for (int i = 0; i < n; i++) {
            c = Long.compare(i < release.length ? release[i] : 0, i < o.release.length ? o.release[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        c = Integer.compare(preRank(), o.preRank());
        if (c != 0) {
            return c;
        }
        if (preLabel != null) {
            c = Long.compare(preNumber, o.preNumber);
            if (c != 0) {
                return c;
            }
        }
        // No post release sorts before any post release; no dev release after any dev release.
        c = Long.compare(post == null ? -1 : post, o.post == null ? -1 : o.post);
        if (c != 0) {
            return c;
        }
        c = Long.compare(dev == null ? Long.MAX_VALUE : dev, o.dev == null ? Long.MAX_VALUE : o.dev);
        if (c != 0) {
            return c;
        }
        return compareLocal(local, o.local);
    }

    /** A bare dev release (1.0.dev1) sorts before every pre-release of its release; a final after all of them. */
    private int preRank() {
        if (preLabel == null) {
            return post == null && dev != null ? -1 : 3;
        }
        return switch (preLabel) {
            case "a" -> 0;
            case "b" -> 1;
            default -> 2;
        };
    }

    private static int compareLocal(List<Object> a, List<Object> b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            int c;
            if (x instanceof Long lx && y instanceof Long ly) {
                c = Long.compare(lx, ly);
            } else if (x instanceof String sx && y instanceof String sy) {
                c = sx.compareTo(sy);
            } else {
                c = x instanceof Long ? 1 : -1; // numeric segments sort after alphanumeric ones
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version other && compareTo(other) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, Arrays.hashCode(Arrays.copyOf(release, releaseLength())), preLabel,
                preLabel == null ? 0 : preNumber, post, dev, local);
    }
}
