package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.build.BuildInfo;
import io.powerai.core.kubernetes.ClusterCredentials;
import io.powerai.core.registry.Credentials;
import io.powerai.core.stage.RunEnvironment;

import java.util.Map;

/**
 * The one place the CLI turns the variables a Jenkins step binds (or a user exports) into the typed values the core
 * takes: the build (JOB_NAME, BUILD_TAG, BUILD_URL), the registry credentials (POWERAI_REGISTRY_USERNAME and
 * _PASSWORD, registryCredentialsId), the cluster's (KUBECONFIG, kubeconfigCredentialsId; AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, azureCredentialsId; POWERAI_AZ). The signing key
 * (POWERAI_SIGNING_KEY) is read by {@link Attestation}. Nothing in the core reads a variable of these.
 */
final class EnvironmentVariables {
    private EnvironmentVariables() {
    }

    static RunEnvironment runEnvironment(Map<String, String> environment) {
        return new RunEnvironment(build(environment), registryCredentials(environment), cluster(environment));
    }

    static BuildInfo build(Map<String, String> environment) {
        return new BuildInfo(environment.get("JOB_NAME"), environment.get("BUILD_TAG"), environment.get("BUILD_URL"));
    }

    /** The pipeline's registry credentials, or null; one of the two alone is invalid input (exit 2). */
    static Credentials registryCredentials(Map<String, String> environment) {
        String user = emptyToNull(environment.get("POWERAI_REGISTRY_USERNAME"));
        String password = emptyToNull(environment.get("POWERAI_REGISTRY_PASSWORD"));
        if ((user == null) != (password == null)) {
            throw new PowerAiException.InvalidInput("registry credentials: POWERAI_REGISTRY_USERNAME and POWERAI_REGISTRY_PASSWORD must be"
                    + " set together (a Username with password credential, registryCredentialsId); got only "
                    + (user == null ? "POWERAI_REGISTRY_PASSWORD" : "POWERAI_REGISTRY_USERNAME"));
        }
        return user == null ? null : new Credentials(user, password);
    }

    static ClusterCredentials cluster(Map<String, String> environment) {
        return new ClusterCredentials(environment.get("KUBECONFIG"),
                new ClusterCredentials.ServicePrincipal(environment.get("AZURE_CLIENT_ID"), environment.get("AZURE_CLIENT_SECRET"),
                        environment.get("AZURE_TENANT_ID"), environment.get("AZURE_SUBSCRIPTION_ID")),
                environment.get("POWERAI_AZ"));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
