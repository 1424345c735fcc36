package io.powerai.core.python;

import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a requirement line's target is (a URL, a VCS reference, an archive) and the project name it gives away. */
final class RequirementTargets {
    static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*|file:.*");
    static final Pattern VCS = Pattern.compile("(git|hg|svn|bzr)\\+.*", Pattern.CASE_INSENSITIVE);
    private static final Pattern EGG = Pattern.compile("[#&]egg=([A-Za-z0-9._-]+)");
    private static final Pattern WHEEL = Pattern.compile("([A-Za-z0-9_.]+)-([^-/]+)(-[^-/]+)?-[^-/]+-[^-/]+-[^-/]+\\.whl");

    private RequirementTargets() {
    }

    static boolean looksLikeArchive(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.endsWith(".whl") || lower.endsWith(".zip") || lower.endsWith(".tar.gz") || lower.endsWith(".tgz")
                || lower.endsWith(".tar.bz2") || lower.endsWith(".tar");
    }

    /** The project a URL names by its {@code #egg=} fragment or its wheel file name; null when it names none. */
    static Requirement nameFromUrl(String url) {
        Matcher egg = EGG.matcher(url);
        if (egg.find()) {
            return new Requirement(egg.group(1), new TreeSet<>(), SpecifierSet.ANY, url, null);
        }
        String last = url.replaceAll("[#?].*$", "");
        last = last.substring(last.lastIndexOf('/') + 1);
        Matcher wheel = WHEEL.matcher(last);
        if (wheel.matches()) {
            return new Requirement(wheel.group(1), new TreeSet<>(), SpecifierSet.ANY, url, null);
        }
        return null;
    }

    /** The parser's message without the requirement it quotes: the issue quotes the whole line already. */
    static String stripQuotedText(String message, String text) {
        String prefix = "invalid requirement '" + text.strip() + "'";
        if (message.startsWith(prefix + " at ")) {
            return message.substring(prefix.length() + 1);
        }
        if (message.startsWith(prefix + ": ")) {
            return message.substring(prefix.length() + 2);
        }
        return message;
    }
}
