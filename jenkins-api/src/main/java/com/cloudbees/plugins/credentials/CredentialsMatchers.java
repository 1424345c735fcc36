package com.cloudbees.plugins.credentials;

/** Declaration only (credentials plugin); only the member plugin/ uses. */
public class CredentialsMatchers {
    private CredentialsMatchers() {
        throw new UnsupportedOperationException("declaration only");
    }

    public static CredentialsMatcher always() {
        throw new UnsupportedOperationException("declaration only");
    }
}
