package com.cloudbees.plugins.credentials;

/** Declaration only (credentials plugin): a filter over credentials; only passed on, so no member is declared. */
public interface CredentialsMatcher {
}
