package hudson.util;

import java.io.IOException;

/**
 * Declaration only (jenkins-core 2.579); only the members plugin/ uses. The real class also implements
 * {@code org.kohsuke.stapler.HttpResponse}; stapler 1.263's version of that interface names javax.servlet types,
 * which this module does not have, and plugin/ never uses a FormValidation as an HttpResponse.
 */
@SuppressWarnings("serial")
public abstract class FormValidation extends IOException {
    // The real constructors are private too.
    private FormValidation() {
    }

    public static FormValidation ok() {
        throw new UnsupportedOperationException("declaration only");
    }

    public static FormValidation warning(String message) {
        throw new UnsupportedOperationException("declaration only");
    }

    public static FormValidation error(String message) {
        throw new UnsupportedOperationException("declaration only");
    }
}
