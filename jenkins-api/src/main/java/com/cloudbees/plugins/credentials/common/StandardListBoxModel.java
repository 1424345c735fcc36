package com.cloudbees.plugins.credentials.common;

/** Declaration only (credentials plugin): the drop-down of standard credentials' ids. */
@SuppressWarnings("serial")
public class StandardListBoxModel extends AbstractIdCredentialsListBoxModel<StandardListBoxModel, StandardCredentials> {
}
