package org.jenkinsci.remoting;

/** Declaration only (remoting): plugin/ names the type and calls none of its methods. */
public abstract class RoleChecker {
    protected RoleChecker() {
    }
}
