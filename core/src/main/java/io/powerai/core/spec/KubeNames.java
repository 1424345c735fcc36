package io.powerai.core.spec;

import java.util.regex.Pattern;

/** The Kubernetes rules for names, label keys and label values, checked before any call. */
public final class KubeNames {
    /** RFC 1123 label: what a namespace (and a Job, whose name is a pod label value) must be. */
    public static final Pattern RFC1123_LABEL = Pattern.compile("[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?");
    public static final String RFC1123_LABEL_RULE = "must be an RFC 1123 label (lowercase letters, digits, '-', starting and "
            + "ending with a letter or digit, at most 63 characters)";
    /** RFC 1123 subdomain: what most object names (ConfigMaps, Secrets, claims, service accounts) must be. */
    public static final Pattern RFC1123_SUBDOMAIN = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*");
    public static final String RFC1123_SUBDOMAIN_RULE = "must be the name of a Kubernetes object, an RFC 1123 subdomain "
            + "(lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)";
    /** RFC 1035 label: what a Service name must be (it becomes a DNS name and must start with a letter). */
    public static final Pattern RFC1035_LABEL = Pattern.compile("[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?");
    /** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    public static final String LABEL_KEY_RULE = "must be a label key: [prefix/]name, the name at most 63 letters, digits, '-', "
            + "'_' or '.', starting and ending with a letter or digit, the prefix a DNS subdomain (e.g. kubernetes.azure.com/agentpool)";
    public static final String LABEL_VALUE_RULE = "must be a label value: at most 63 letters, digits, '-', '_' or '.', starting "
            + "and ending with a letter or digit (or empty)";

    private KubeNames() {
    }

    public static boolean isLabel(String text) {
        return text != null && RFC1123_LABEL.matcher(text).matches();
    }

    public static boolean isLabelKey(String key) {
        if (key == null) {
            return false;
        }
        int slash = key.indexOf('/');
        if (slash < 0) {
            return LABEL_NAME.matcher(key).matches();
        }
        String prefix = key.substring(0, slash);
        return prefix.length() <= 253 && RFC1123_SUBDOMAIN.matcher(prefix).matches()
                && LABEL_NAME.matcher(key.substring(slash + 1)).matches();
    }

    public static boolean isLabelValue(String value) {
        return value != null && LABEL_VALUE.matcher(value).matches();
    }

    /**
     * {@code <prefix>-<suffix>} as an RFC 1123 label: the prefix (already a label) is cut so that the whole stays
     * within 63 characters, and never ends in '-'.
     */
    public static String labelWithSuffix(String prefix, String suffix) {
        int room = 63 - suffix.length() - 1;
        String head = prefix.length() > room ? prefix.substring(0, room) : prefix;
        while (head.endsWith("-")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + "-" + suffix;
    }
}
