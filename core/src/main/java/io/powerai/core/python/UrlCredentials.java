package io.powerai.core.python;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials written into a URL ({@code https://user:token@host/simple}, a conda channel's {@code /t/TOKEN/}).
 * A snapshot copies its input files into the image layers and its index options into {@code requirements.lock},
 * both of which outlive the build and are archived: a credential in a URL would be published with them. So such
 * a URL is refused, and every message that quotes it shows it {@link #mask masked}.
 */
public final class UrlCredentials {
    /** scheme://userinfo@ — the userinfo ends at the first '/', '?' or '#' (RFC 3986), and its last '@' ends it. */
    private static final Pattern USERINFO = Pattern.compile("(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<userinfo>[^/?#\\s]*)@");
    /** anaconda.org's token path: https://conda.anaconda.org/t/TOKEN/channel. */
    private static final Pattern CONDA_TOKEN = Pattern.compile("(?<prefix>://[^/\\s]+/t/)(?<token>[^/\\s]+)(?=/)");
    private static final String HIDDEN = "****";

    private UrlCredentials() {
    }

    /**
     * The first credential-bearing URL in {@code text}, masked, or empty. An ssh user without a password
     * ({@code git+ssh://git@host/...}) is a login name, not a secret; on http(s) and the rest any userinfo is one
     * (pip's token form {@code https://TOKEN@host} has no colon).
     */
    public static Optional<String> find(String text) {
        if (!text.contains("://")) {
            return Optional.empty(); // both forms are inside a URL with an authority; most lines have none
        }
        Matcher m = USERINFO.matcher(text);
        while (m.find()) {
            String scheme = m.group("scheme").toLowerCase(java.util.Locale.ROOT);
            String userinfo = m.group("userinfo");
            boolean ssh = scheme.endsWith("ssh");
            if (!userinfo.isEmpty() && (!ssh || userinfo.contains(":"))) {
                return Optional.of(mask(urlAround(text, m.start())));
            }
        }
        Matcher t = CONDA_TOKEN.matcher(text);
        if (t.find()) {
            return Optional.of(mask(urlAround(text, text.lastIndexOf(' ', t.start()) + 1)));
        }
        return Optional.empty();
    }

    /** {@code text} with every URL's password (or bare token) and conda token replaced by {@value #HIDDEN}. */
    public static String mask(String text) {
        Matcher m = USERINFO.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String userinfo = m.group("userinfo");
            int colon = userinfo.indexOf(':');
            String shown = colon >= 0 ? userinfo.substring(0, colon) + ":" + HIDDEN
                    : m.group("scheme").toLowerCase(java.util.Locale.ROOT).endsWith("ssh") ? userinfo : HIDDEN;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group("scheme") + "://" + shown + "@"));
        }
        m.appendTail(out);
        return CONDA_TOKEN.matcher(out.toString()).replaceAll("${prefix}" + HIDDEN);
    }

    /**
     * {@code url} as it may be published (an image label, a result, a log line): without user info, query and
     * fragment, where tokens travel ({@code https://u:p@ss@host/r.git?private_token=T#x} becomes
     * {@code https://host/r.git}). The user info ends at the last '@' (a password may hold '@', '/', '?' or '#'
     * unencoded; a path misread as user info is better than a published password). An scp-like git remote
     * ({@code git@host:org/r.git}) keeps a login name without a password, as {@link #find} does.
     */
    public static String publicForm(String url) {
        Matcher scheme = Pattern.compile("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://").matcher(url);
        String prefix = scheme.find() ? scheme.group() : "";
        String rest = url.substring(prefix.length());
        int at = rest.lastIndexOf('@');
        if (at >= 0 && (!prefix.isEmpty() || rest.substring(0, at).contains(":"))) {
            rest = rest.substring(at + 1);
        }
        int end = rest.length();
        for (char c : new char[] {'?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        return prefix + rest.substring(0, end);
    }

    /** The rule, for messages. */
    public static String rule() {
        return "no credentials in a URL: the snapshot copies its input files into the image layers and its index options"
                + " into requirements.lock, where they would be published; let the agent reach the index without them"
                + " (an authenticating proxy or mirror on the build host, or an index that needs none)";
    }

    private static String urlAround(String text, int start) {
        int end = start;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        int begin = start;
        while (begin > 0 && !Character.isWhitespace(text.charAt(begin - 1)) && text.charAt(begin - 1) != '=') {
            begin--;
        }
        return text.substring(begin, end);
    }
}
