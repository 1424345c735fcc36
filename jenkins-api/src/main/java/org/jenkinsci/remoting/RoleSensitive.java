package org.jenkinsci.remoting;

/** Declaration only (remoting). */
public interface RoleSensitive {
    void checkRoles(RoleChecker checker) throws SecurityException;
}
