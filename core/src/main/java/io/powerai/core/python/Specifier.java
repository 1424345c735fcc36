package io.powerai.core.python;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One PEP 440 version specifier clause: {@code ~=}, {@code ==} (with {@code .*} prefix matching), {@code !=},
 * {@code <=}, {@code >=}, {@code <}, {@code >}, {@code ===}. Matching follows the PEP, including its exceptions:
 * {@code <V} excludes pre-releases of V, {@code >V} excludes post-releases and local versions of V, and a public
 * {@code ==V} ignores the candidate's local label.
 */
public final class Specifier {
    private static final Pattern CLAUSE = Pattern.compile("\\s*(~=|===|==|!=|<=|>=|<|>)\\s*(\\S.*?)\\s*");
    private static final Pattern RELEASE_ONLY = Pattern.compile("v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*", Pattern.CASE_INSENSITIVE);

    private final String operator;
    private final String versionText;
    private final boolean wildcard;
    private final Version version; // null for ===

    private Specifier(String operator, String versionText, boolean wildcard, Version version) {
        this.operator = operator;
        this.versionText = versionText;
        this.wildcard = wildcard;
        this.version = version;
    }

    /** Parses one clause like {@code >=1.2} or {@code == 1.4.*}; the message says which rule it breaks. */
    public static Specifier parse(String text) {
        Matcher m = CLAUSE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not a version specifier (an operator ~= == != <= >= < > === and a version)");
        }
        String op = m.group(1);
        String v = m.group(2);
        if (op.equals("===")) {
            if (v.contains(" ") || v.contains(",") || v.contains(";")) {
                throw new IllegalArgumentException("'" + text.strip() + "': === takes one token without spaces, commas or ';'");
            }
            return new Specifier(op, v, false, null);
        }
        boolean wildcard = v.endsWith(".*");
        if (wildcard) {
            if (!op.equals("==") && !op.equals("!=")) {
                throw new IllegalArgumentException("'" + text.strip() + "': a '.*' suffix is allowed only with == and !=");
            }
            String prefix = v.substring(0, v.length() - 2);
            if (!RELEASE_ONLY.matcher(prefix).matches()) {
                throw new IllegalArgumentException("'" + text.strip() + "': '.*' may only follow a release like 1.4 (no pre, post, dev or local part)");
            }
            return new Specifier(op, v, true, Version.parse(prefix));
        }
        Version version = Version.tryParse(v);
        if (version == null) {
            throw new IllegalArgumentException("'" + text.strip() + "': '" + v + "' is not a PEP 440 version (like 1.2, 1.2.3rc1, 2!1.0.post2)");
        }
        if (version.hasLocal() && !op.equals("==") && !op.equals("!=")) {
            throw new IllegalArgumentException("'" + text.strip() + "': a local version label (+" + version.localLabel()
                    + ") is allowed only with == and !=");
        }
        if (op.equals("~=") && version.release().length < 2) {
            throw new IllegalArgumentException("'" + text.strip() + "': ~= needs at least two release segments (~=2.2 means >=2.2, ==2.*)");
        }
        return new Specifier(op, v, false, version);
    }

    public String operator() {
        return operator;
    }

    public String versionText() {
        return versionText;
    }

    public boolean isWildcard() {
        return wildcard;
    }

    /** The specified version (for {@code .*}, its prefix); null for {@code ===}. */
    public Version version() {
        return version;
    }

    /** An exact pin: {@code ==V} without a wildcard, or {@code ===V}. */
    public boolean isPin() {
        return (operator.equals("==") && !wildcard) || operator.equals("===");
    }

    /** Whether this clause asks for a pre-release itself ({@code >=1.0b1}), which admits pre-releases. */
    public boolean wantsPrereleases() {
        return switch (operator) {
            case "==", ">=", "<=", "~=", "===" -> version != null && version.isPrerelease();
            default -> false;
        };
    }

    /** Normalized: operator then the version's normalized form (for {@code ===}, the text as given). */
    @Override
    public String toString() {
        if (version == null) {
            return operator + versionText;
        }
        return operator + (wildcard ? version + ".*" : version.toString());
    }

    public boolean contains(String candidate) {
        if (operator.equals("===")) {
            return candidate.strip().toLowerCase(Locale.ROOT).equals(versionText.toLowerCase(Locale.ROOT));
        }
        Version v = Version.tryParse(candidate);
        return v != null && contains(v);
    }

    /** Whether {@code candidate} matches this clause; pre-release policy is {@link SpecifierSet}'s business. */
    public boolean contains(Version candidate) {
        return switch (operator) {
            case "===" -> candidate.original().strip().toLowerCase(Locale.ROOT).equals(versionText.toLowerCase(Locale.ROOT));
            case "==" -> equal(candidate);
            case "!=" -> !equal(candidate);
            case "~=" -> candidate.publicVersion().compareTo(version) >= 0 && prefixMatches(candidate, compatiblePrefix());
            case "<=" -> candidate.publicVersion().compareTo(version) <= 0;
            case ">=" -> candidate.publicVersion().compareTo(version) >= 0;
            case "<" -> candidate.compareTo(version) < 0
                    && !(!version.isPrerelease() && candidate.isPrerelease()
                    && candidate.baseVersion().equals(version.baseVersion()));
            case ">" -> candidate.compareTo(version) > 0
                    && !(!version.isPostrelease() && candidate.isPostrelease()
                    && candidate.baseVersion().equals(version.baseVersion()))
                    && !(candidate.hasLocal() && candidate.baseVersion().equals(version.baseVersion()));
            default -> throw new IllegalStateException(operator);
        };
    }

    private boolean equal(Version candidate) {
        if (wildcard) {
            return prefixMatches(candidate, version.release());
        }
        return (version.hasLocal() ? candidate : candidate.publicVersion()).equals(version);
    }

    /** ~=1.4.5a4 compares with the prefix 1.4 (the release without its last segment). */
    private long[] compatiblePrefix() {
        long[] r = version.release();
        return Arrays.copyOf(r, r.length - 1);
    }

    /** Same epoch, and the candidate's release (zero-padded) starts with {@code prefix}. */
    private boolean prefixMatches(Version candidate, long[] prefix) {
        if (candidate.epoch() != version.epoch()) {
            return false;
        }
        long[] r = candidate.release();
        for (int i = 0; i < prefix.length; i++) {
            if ((i < r.length ? r[i] : 0) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Specifier other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
