package com.cloudbees.plugins.credentials.common;

/** Declaration only (credentials plugin): credentials with an id. */
public interface IdCredentials {
}
