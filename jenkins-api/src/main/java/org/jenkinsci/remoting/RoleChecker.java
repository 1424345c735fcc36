package org.jenkinsci.remoting;

/** Declaration only (remoting): plugin/ names the type and calls none of its methods. */
public abstract class RoleChecker {
    // The real class declares no constructor: javac gives it a public one.
    public RoleChecker() {
    }
}
