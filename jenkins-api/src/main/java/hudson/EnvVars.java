package hudson;

import java.util.TreeMap;

/** Declaration only (jenkins-core 2.579); plugin/ reads it as the {@code Map} it is. */
@SuppressWarnings("serial")
public class EnvVars extends TreeMap<String, String> {
    public EnvVars() {
        throw new UnsupportedOperationException("declaration only");
    }
}
