package org.jenkinsci.plugins.plaincredentials;

import com.cloudbees.plugins.credentials.common.StandardCredentials;

/** Declaration only (plain-credentials plugin): a secret file, what the kubeconfig binding (file) reads. */
public interface FileCredentials extends StandardCredentials {
}
