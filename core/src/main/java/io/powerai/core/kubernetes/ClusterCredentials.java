package io.powerai.core.kubernetes;

/**
 * How to reach a Kubernetes cluster, as the face read it from its environment once: the kubeconfig file a Jenkins
 * file credential names (KUBECONFIG), or an Azure service principal (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
 * AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID) for {@code az aks get-credentials}, and the azure-cli command to run.
 * {@link KubeConnection#open} decides which applies and says what is missing.
 *
 * @param kubeconfig the kubeconfig's path as given (checked when it is used), or null
 * @param azure      the service principal; its fields are null where not given
 * @param azCommand  the azure-cli command (POWERAI_AZ), "az" by default
 */
public record ClusterCredentials(String kubeconfig, ServicePrincipal azure, String azCommand) {
    /** No credentials at all: a stage that needs a cluster then says what to set. */
    public static final ClusterCredentials NONE = new ClusterCredentials(null, ServicePrincipal.NONE, null);

    public ClusterCredentials {
        kubeconfig = kubeconfig == null || kubeconfig.isBlank() ? null : kubeconfig;
        azure = azure == null ? ServicePrincipal.NONE : azure;
        azCommand = azCommand == null || azCommand.isBlank() ? "az" : azCommand;
    }

    /** A kubeconfig file only (tests, callers that have one). */
    public static ClusterCredentials kubeconfig(String path) {
        return new ClusterCredentials(path, ServicePrincipal.NONE, null);
    }

    /** An Azure service principal; the secret never appears in {@link #toString()}. */
    public record ServicePrincipal(String clientId, String clientSecret, String tenantId, String subscriptionId) {
        public static final ServicePrincipal NONE = new ServicePrincipal(null, null, null, null);

        public ServicePrincipal {
            clientId = blankToNull(clientId);
            clientSecret = blankToNull(clientSecret);
            tenantId = blankToNull(tenantId);
            subscriptionId = blankToNull(subscriptionId);
        }

        @Override
        public String toString() {
            return "ServicePrincipal[clientId=" + clientId + ", clientSecret=" + (clientSecret == null ? null : "****")
                    + ", tenantId=" + tenantId + ", subscriptionId=" + subscriptionId + "]";
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
