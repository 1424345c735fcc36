package hudson.security;

/** Declaration only (jenkins-core 2.579); only the member plugin/ uses. */
public abstract class ACL {
    /**
     * The system's authentication in the Acegi type (deprecated in core; SYSTEM2 is its Spring Security twin, whose
     * type jenkins-api does not declare). Not a constant: callers read the real field.
     */
    @Deprecated
    public static final org.acegisecurity.Authentication SYSTEM = null;
}
