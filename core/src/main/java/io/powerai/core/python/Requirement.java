package io.powerai.core.python;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A PEP 508 dependency specification: {@code name [extras] (versionspec | @ url) [; marker]}, for example
 * {@code requests[security] >= 2.8.1, == 2.8.* ; python_version < "2.7"} or {@code pip @ https://host/pip.zip}.
 */
public record Requirement(String name, SortedSet<String> extras, SpecifierSet specifier, String url, Marker marker) {
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:\\S+");

    public Requirement {
        extras = Collections.unmodifiableSortedSet(new TreeSet<>(extras));
    }

    /** The PEP 503 form of the name, under which two requirements are for the same project. */
    public String normalizedName() {
        return PackageName.normalize(name);
    }

    /** Pinned to exactly one version by {@code ==V} or {@code ===V} (and not a URL). */
    public boolean isPinned() {
        return url == null && specifier.pinnedVersion() != null;
    }

    /** Whether the requirement applies in {@code environment} (no marker: always). */
    public boolean appliesIn(java.util.Map<String, String> environment) {
        return marker == null || marker.evaluate(environment);
    }

    public static Requirement parse(String text) {
        return new Parser(text).requirement();
    }

    /** Normalized: PEP 503 name, sorted extras, normalized specifiers and marker. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(normalizedName());
        if (!extras.isEmpty()) {
            out.append('[').append(String.join(",", extras)).append(']');
        }
        if (url != null) {
            out.append(" @ ").append(url);
            if (marker != null) {
                out.append(' ');
            }
        } else {
            out.append(specifier);
        }
        if (marker != null) {
            out.append("; ").append(marker);
        }
        return out.toString();
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Requirement requirement() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) && text.charAt(pos) < 128
                    || "._-".indexOf(text.charAt(pos)) >= 0)) {
                pos++;
            }
            String name = text.substring(start, pos);
            if (name.isEmpty() || !Character.isLetterOrDigit(name.charAt(0))) {
                throw error(start, "expected a project name (letters, digits, '.', '_', '-')");
            }
            if (!PackageName.isValid(name)) {
                throw error(start, "the name '" + name + "' must start and end with a letter or digit");
            }
            skipSpace();
            SortedSet<String> extras = new TreeSet<>();
            if (peek('[')) {
                pos++;
                int close = text.indexOf(']', pos);
                if (close < 0) {
                    throw error(pos, "expected ']' to close the extras");
                }
                String inner = text.substring(pos, close);
                if (!inner.isBlank()) {
                    for (String extra : inner.split(",", -1)) {
                        String e = extra.strip();
                        if (!PackageName.isValid(e)) {
                            throw error(pos, "'" + e + "' is not a valid extra name");
                        }
                        extras.add(PackageName.normalize(e));
                    }
                }
                pos = close + 1;
                skipSpace();
            }
            String url = null;
            SpecifierSet specifier = SpecifierSet.ANY;
            if (peek('@')) {
                pos++;
                skipSpace();
                int urlStart = pos;
                while (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
                    pos++;
                }
                url = text.substring(urlStart, pos);
                if (!URL.matcher(url).matches()) {
                    throw error(urlStart, "expected a URL after '@' (scheme://...)");
                }
                skipSpace();
                if (!atEnd() && !peek(';')) {
                    throw error(pos, "expected ';' and a marker after the URL");
                }
                if (!atEnd() && !Character.isWhitespace(text.charAt(pos - 1))) {
                    throw error(pos, "a ';' after a URL needs a space before it (';' may be part of a URL)");
                }
            } else {
                boolean parenthesized = peek('(');
                if (parenthesized) {
                    pos++;
                }
                int specStart = pos;
                int end = parenthesized ? text.indexOf(')', pos) : text.indexOf(';', pos);
                if (parenthesized && end < 0) {
                    throw error(pos, "expected ')' to close the version specifiers");
                }
                if (end < 0) {
                    end = text.length();
                }
                String specs = text.substring(specStart, end);
                if (!specs.isBlank()) {
                    try {
                        specifier = SpecifierSet.parse(specs);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("invalid requirement '" + text.strip() + "': " + e.getMessage());
                    }
                }
                pos = parenthesized ? end + 1 : end;
                skipSpace();
            }
            Marker marker = null;
            if (peek(';')) {
                pos++;
                String markerText = text.substring(pos);
                if (markerText.isBlank()) {
                    throw error(pos, "expected a marker after ';'");
                }
                try {
                    marker = Marker.parse(markerText);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid requirement '" + text.strip() + "': " + e.getMessage());
                }
                pos = text.length();
            }
            skipSpace();
            if (!atEnd()) {
                throw error(pos, "unexpected '" + text.substring(pos).strip() + "' (expected version specifiers, '@ URL' or '; marker')");
            }
            return new Requirement(name, extras, specifier, url, marker);
        }

        private void skipSpace() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private boolean atEnd() {
            return pos >= text.length();
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private IllegalArgumentException error(int at, String what) {
            return new IllegalArgumentException("invalid requirement '" + text.strip() + "' at column " + (at + 1) + ": " + what);
        }
    }
}
