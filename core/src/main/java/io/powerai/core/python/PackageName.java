package io.powerai.core.python;

import java.util.Locale;
import java.util.regex.Pattern;

/** Python project names: the PEP 508 grammar, and the PEP 503 normalized form under which names compare equal. */
public final class PackageName {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");

    private PackageName() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** {@code Foo.Bar_baz} and {@code foo-bar-baz} are the same project: runs of - _ . become one -, lowercase. */
    public static String normalize(String name) {
        return SEPARATORS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
    }
}
