package io.powerai.core.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's {@code WWW-Authenticate} answer to a 401 (RFC 7235): {@code Basic realm="..."}, or
 * {@code Bearer realm="...",service="...",scope="repository:a/b:pull,push"} for the token flow of Docker Hub, ACR,
 * GHCR and the registry's own {@code auth: token}. Quoted values may hold commas and escaped quotes.
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    private static final Pattern PARAM = Pattern.compile("([A-Za-z0-9_-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))");

    static Optional<AuthChallenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String text = header.strip();
        int space = text.indexOf(' ');
        String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (space >= 0) {
            Matcher m = PARAM.matcher(text.substring(space + 1));
            while (m.find()) {
                String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
                params.put(m.group(1).toLowerCase(Locale.ROOT), value);
            }
        }
        return Optional.of(new AuthChallenge(scheme, Map.copyOf(params)));
    }

    boolean isBearer() {
        return scheme.equals("bearer") && params.containsKey("realm");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }
}
