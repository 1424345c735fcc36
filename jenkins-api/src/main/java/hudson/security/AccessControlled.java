package hudson.security;

/** Declaration only (jenkins-core 2.579); only the member plugin/ uses. */
public interface AccessControlled {
    default boolean hasPermission(Permission permission) {
        throw new UnsupportedOperationException("declaration only");
    }
}
