package io.powerai.core.deploy;

import io.powerai.core.spec.Problems;

import java.util.regex.Pattern;

/** The Kubernetes rules for the names powerai derives from the project's name, checked before any call. */
public final class KubeNames {
    /** RFC 1035 label: what a Service name must be (it becomes a DNS name and must start with a letter). */
    private static final Pattern RFC1035_LABEL = Pattern.compile("[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?");
    /** {@code <name>-green} must stay a 63-character label (it is also a label value). */
    public static final int MAX_NAME = 63 - "-green".length();

    private KubeNames() {
    }

    public static boolean isLabel(String text) {
        return text != null && AksSettings.RFC1123_LABEL.matcher(text).matches();
    }

    /** The project's name names the Service and, with a color, the Deployments. */
    public static void checkServiceName(String stage, String name, Problems problems) {
        if (name == null) {
            return; // already reported by the pipeline spec
        }
        if (!RFC1035_LABEL.matcher(name).matches() || name.length() > MAX_NAME) {
            problems.add(stage, "'name' must be an RFC 1035 label of at most " + MAX_NAME + " characters on Kubernetes "
                    + "(lowercase letters, digits, '-', starting with a letter: it names the Service '" + name
                    + "' and the Deployments '<name>-blue' and '<name>-green'); got '" + name + "'");
        }
    }
}
