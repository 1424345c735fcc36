package com.cloudbees.plugins.credentials.common;

/**
 * Declaration only (credentials plugin): username with password, what the registry login binds. Real supertypes:
 * StandardUsernameCredentials (a StandardCredentials) and UsernamePasswordCredentials.
 */
public interface StandardUsernamePasswordCredentials extends StandardCredentials {
}
