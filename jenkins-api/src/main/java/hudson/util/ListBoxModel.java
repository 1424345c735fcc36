package hudson.util;

import java.util.ArrayList;

/**
 * Declaration only (jenkins-core 2.579): the items of a form's select; only the members plugin/ uses. The real class
 * also implements {@code org.kohsuke.stapler.HttpResponse}, left out as for {@link FormValidation}.
 */
@SuppressWarnings("serial")
public class ListBoxModel extends ArrayList<ListBoxModel.Option> {
    public ListBoxModel() {
        throw new UnsupportedOperationException("declaration only");
    }

    public void add(String displayName, String value) {
        throw new UnsupportedOperationException("declaration only");
    }

    /** One item: what the select shows, and the value it submits. */
    public static final class Option {
        public String name;
        public String value;
        public boolean selected;

        public Option(String name, String value) {
            throw new UnsupportedOperationException("declaration only");
        }
    }
}
