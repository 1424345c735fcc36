package io.powerai.core.lineage;

import java.nio.charset.StandardCharsets;

/**
 * Links from a picture or a page to the archived files beside it: relative paths only, each character outside
 * RFC 3986's unreserved set (and '/') percent-encoded. A name from a result file (hostile: it comes from a project's
 * pull request) that is absolute, climbs out with "..", or could read as a scheme gets no link at all.
 */
public final class Href {
    private Href() {
    }

    public static boolean isSafeRelative(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains(":")) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return false;
            }
        }
        return path.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** {@code prefix + path}, the path percent-encoded; null when the path is not a safe relative one. */
    public static String of(String prefix, String path) {
        if (!isSafeRelative(path)) {
            return null;
        }
        StringBuilder out = new StringBuilder(prefix);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
