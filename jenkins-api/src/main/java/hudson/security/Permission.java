package hudson.security;

/** Declaration only (jenkins-core 2.579): a permission, only ever read from Jenkins' fields here. */
public final class Permission {
    /** The real constructors take a PermissionGroup and a name; the plugin creates none. */
    private Permission() {
        throw new UnsupportedOperationException("declaration only");
    }
}
