package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.files.ProjectPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A client of the cluster, from one of two credentials, neither of which ever reaches an artifact or a log:
 * <ul>
 *   <li>{@code KUBECONFIG}: the path of a kubeconfig file (in Jenkins, a file credential), read in place;</li>
 *   <li>{@code resource_group} and {@code cluster_name}: an Azure service principal
 *       ({@code AZURE_CLIENT_ID}, {@code AZURE_CLIENT_SECRET}, {@code AZURE_TENANT_ID}, optionally
 *       {@code AZURE_SUBSCRIPTION_ID}) logs in with azure-cli into a private, temporary {@code AZURE_CONFIG_DIR},
 *       and {@code az aks get-credentials} writes the kubeconfig there; the folder is deleted on {@link #close()}.</li>
 * </ul>
 * The client's own retries are switched off: {@link KubeCalls} is the one retry policy.
 */
public final class KubeConnection implements AutoCloseable {
    private static final Duration AZ_TIMEOUT = Duration.ofMinutes(3);

    private final KubernetesClient client;
    private final String server;
    private final Path tempDir;

    private KubeConnection(KubernetesClient client, String server, Path tempDir) {
        this.client = client;
        this.server = server;
        this.tempDir = tempDir;
    }

    /** Wraps a client made elsewhere (tests: the mock server's); closing closes the client. */
    public static KubeConnection of(KubernetesClient client) {
        return new KubeConnection(client, client.getConfiguration().getMasterUrl(), null);
    }

    public KubernetesClient client() {
        return client;
    }

    /** The API server's URL: safe to show (no credential in it). */
    public String server() {
        return server;
    }

    /** An AKS cluster named by its resource group, for {@code az aks get-credentials}. */
    public record AzureCluster(String resourceGroup, String clusterName) {
    }

    /** Where credentials come from when a stage can name an AKS cluster as well as take a kubeconfig. */
    public static final String KUBECONFIG_OR_AZURE_HELP = "set KUBECONFIG to the path of a kubeconfig file (a Jenkins file "
            + "credential), or set resource_group and cluster_name with AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID "
            + "for az aks get-credentials";
    /** ... and when it takes a kubeconfig only. */
    public static final String KUBECONFIG_HELP = "set KUBECONFIG to the path of a kubeconfig file (a Jenkins file credential, "
            + "kubeconfigCredentialsId)";

    /**
     * Opens a connection: through azure-cli when {@code azure} names a cluster, else from the kubeconfig that
     * {@code credentials} name (KUBECONFIG); {@code credentialsHelp} says what to set when there is neither.
     */
    public static KubeConnection open(String stage, AzureCluster azure, ClusterCredentials credentials, StageEvents events,
                                      String credentialsHelp) {
        if (azure != null) {
            return viaAzureCli(stage, azure, credentials, events);
        }
        String kubeconfig = credentials.kubeconfig();
        if (kubeconfig == null) {
            throw PowerAiException.InvalidInput.bare("no credentials for the cluster: " + credentialsHelp);
        }
        if (kubeconfig.contains(java.io.File.pathSeparator)) {
            throw PowerAiException.InvalidInput.bare("KUBECONFIG must name one kubeconfig file; got a list of "
                    + kubeconfig.split(java.io.File.pathSeparator).length + " paths");
        }
        Path file = Path.of(kubeconfig);
        if (!Files.isRegularFile(file)) {
            throw PowerAiException.InvalidInput.bare("KUBECONFIG names " + file + ", which is not a file");
        }
        events.progress("credentials: the kubeconfig named by KUBECONFIG");
        return fromKubeconfig(stage, file, null);
    }

    private static KubeConnection fromKubeconfig(String stage, Path file, Path tempDir) {
        Config config;
        try {
            config = Config.fromKubeconfig(file.toFile());
        } catch (KubernetesClientException | IllegalArgumentException e) {
            throw PowerAiException.InvalidInput.bare("the kubeconfig " + (tempDir == null ? file : "from az aks get-credentials")
                    + " cannot be read: " + KubeCalls.oneLine(String.valueOf(e.getMessage())));
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
            throw PowerAiException.InvalidInput.bare("the kubeconfig " + file + " names no cluster (no current context?)");
        }
        config.setRequestRetryBackoffLimit(0);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                .withKubernetesSerialization(KubeYaml.SERIALIZATION).build();
        return new KubeConnection(client, config.getMasterUrl(), tempDir);
    }

    private static KubeConnection viaAzureCli(String stage, AzureCluster azure, ClusterCredentials credentials, StageEvents events) {
        ClusterCredentials.ServicePrincipal principal = credentials.azure();
        List<String> missing = new ArrayList<>();
        // Named as the user sets them (the azureCredentialsId binding's variables).
        if (principal.clientId() == null) {
            missing.add("AZURE_CLIENT_ID");
        }
        if (principal.clientSecret() == null) {
            missing.add("AZURE_CLIENT_SECRET");
        }
        if (principal.tenantId() == null) {
            missing.add("AZURE_TENANT_ID");
        }
        if (!missing.isEmpty()) {
            throw PowerAiException.InvalidInput.bare("resource_group and cluster_name need an Azure service principal "
                    + "in the environment; missing " + String.join(", ", missing));
        }
        String az = credentials.azCommand();
        String secret = principal.clientSecret();
        Path dir;
        try {
            dir = Files.createTempDirectory("powerai-aks-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private temporary folder for the kubeconfig: " + e.getMessage(), e);
        }
        try {
            ProcessRunner runner = new ProcessRunner(Map.of("AZURE_CONFIG_DIR", dir.resolve("az").toString(),
                    "AZURE_CORE_COLLECT_TELEMETRY", "false"));
            events.progress("credentials: az login --service-principal (client " + principal.clientId() + ")");
            // Never on the command line, where every local user sees it (ps, /proc/PID/cmdline) and process auditing
            // records it: azure-cli reads an argument's value from the file an '@' names. The file is private to
            // this user (in the rwx------ folder) and removed as soon as az has logged in.
            Path secretFile = dir.resolve("sp-secret");
            writePrivate(secretFile, secret);
            List<String> login = new ArrayList<>(List.of(az, "login", "--service-principal", "--username", principal.clientId(),
                    "--password", "@" + secretFile, "--tenant", principal.tenantId(), "--output", "none", "--only-show-errors"));
            try {
                az(stage, runner, login, "az login --service-principal", secret);
            } finally {
                deleteQuietly(secretFile);
            }
            Path kubeconfig = dir.resolve("kubeconfig");
            List<String> getCredentials = new ArrayList<>(List.of(az, "aks", "get-credentials", "--resource-group", azure.resourceGroup(),
                    "--name", azure.clusterName(), "--file", kubeconfig.toString(), "--overwrite-existing", "--only-show-errors"));
            String subscription = principal.subscriptionId();
            if (subscription != null) {
                getCredentials.add("--subscription");
                getCredentials.add(subscription);
            }
            events.progress("credentials: az aks get-credentials --resource-group " + azure.resourceGroup() + " --name "
                    + azure.clusterName() + " (into a temporary kubeconfig)");
            az(stage, runner, getCredentials, "az aks get-credentials", secret);
            if (!Files.isRegularFile(kubeconfig)) {
                throw PowerAiException.InfrastructureUnavailable.bare("az aks get-credentials wrote no kubeconfig");
            }
            return fromKubeconfig(stage, kubeconfig, dir);
        } catch (RuntimeException e) {
            ProjectPaths.deleteTree(dir);
            throw e;
        }
    }

    private static void writePrivate(Path file, String content) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the service principal's secret for az into " + file.getParent() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the whole folder is deleted on close or on failure
        }
    }

    private static void az(String stage, ProcessRunner runner, List<String> command, String what, String secret) {
        ProcessRunner.Result result;
        try {
            result = runner.run(command, AZ_TIMEOUT);
        } catch (ProcessRunner.NotStarted e) {
            throw PowerAiException.InfrastructureUnavailable.bare("azure-cli (" + command.get(0)
                    + ") cannot be started; install it (Debian: apt-get install azure-cli) or pass a kubeconfig through KUBECONFIG", e);
        }
        if (result.timedOut() || result.exitCode() != 0) {
            // az never prints the secret; redacting it anyway costs nothing.
            String last = result.lastLines(2).replace(secret, "****");
            throw PowerAiException.InfrastructureUnavailable.bare(what + " failed ("
                    + (result.timedOut() ? "timed out after " + AZ_TIMEOUT.toMinutes() + " min" : "exit " + result.exitCode())
                    + "): " + KubeCalls.oneLine(last));
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            if (tempDir != null) {
                ProjectPaths.deleteTree(tempDir);
            }
        }
    }

    /** The temporary folder holding the kubeconfig, while open (tests check that it goes away). */
    Path tempDir() {
        return tempDir;
    }
}
