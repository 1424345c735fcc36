package com.microsoft.azure.util;

import com.cloudbees.plugins.credentials.common.StandardCredentials;

/**
 * Declaration only (azure-credentials plugin): an Azure service principal, what the azureServicePrincipal binding
 * reads. Real supertype: AzureBaseCredentials, a BaseStandardCredentials (so a StandardCredentials).
 */
@SuppressWarnings("serial")
public class AzureCredentials implements StandardCredentials {
    /** The real constructors are public and take the scope, id, description and the principal's fields. */
    public AzureCredentials() {
        throw new UnsupportedOperationException("declaration only");
    }
}
