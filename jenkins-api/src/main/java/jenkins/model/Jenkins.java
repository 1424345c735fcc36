package jenkins.model;

import hudson.model.ItemGroup;
import hudson.security.AccessControlled;
import hudson.security.Permission;

/**
 * Declaration only (jenkins-core 2.579): the controller, for the permission check and the credentials context of the
 * global configuration's drop-downs; only the members plugin/ uses. Real supertypes: AbstractCIBase and many
 * interfaces, ItemGroup and AccessControlled among them.
 */
@SuppressWarnings("rawtypes")
public class Jenkins implements ItemGroup, AccessControlled {
    /** Administer (Overall/Administer). Not a constant: callers read the real field. */
    public static final Permission ADMINISTER = null;

    /** The real constructors are protected and take the root folder and the servlet context. */
    protected Jenkins() {
        throw new UnsupportedOperationException("declaration only");
    }

    public static Jenkins get() {
        throw new UnsupportedOperationException("declaration only");
    }
}
