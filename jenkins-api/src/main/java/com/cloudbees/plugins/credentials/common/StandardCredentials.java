package com.cloudbees.plugins.credentials.common;

/** Declaration only (credentials plugin): what StandardListBoxModel lists. Real: extends IdCredentials. */
public interface StandardCredentials extends IdCredentials {
}
