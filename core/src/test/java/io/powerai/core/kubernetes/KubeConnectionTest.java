package io.powerai.core.kubernetes;

import io.powerai.core.PowerAiException;
import io.powerai.core.event.Event;
import io.powerai.core.event.EventSink;
import io.powerai.core.event.StageEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Credentials: a kubeconfig named by KUBECONFIG, or a service principal with azure-cli. The cluster is fabric8's
 * mock API server (no real one can run here); azure-cli is a stand-in script, as no Azure can be reached.
 */
class KubeConnectionTest {
    @TempDir
    Path dir;

    MockApiServer cluster;
    final List<Event> events = new ArrayList<>();
    StageEvents stageEvents;

    @BeforeEach
    void setUp() {
        cluster = new MockApiServer();
        stageEvents = ((EventSink) events::add).forStage("aksDeploy");
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private static final KubeConnection.AzureCluster AKS = new KubeConnection.AzureCluster("rg-ml", "aks-prod");

    private KubeConnection open(KubeConnection.AzureCluster azure, Map<String, String> env) {
        // The variables as the CLI reads them (EnvironmentVariables.cluster), as the typed value the core takes.
        ClusterCredentials credentials = new ClusterCredentials(env.get("KUBECONFIG"), new ClusterCredentials.ServicePrincipal(
                env.get("AZURE_CLIENT_ID"), env.get("AZURE_CLIENT_SECRET"), env.get("AZURE_TENANT_ID"), env.get("AZURE_SUBSCRIPTION_ID")),
                env.get("POWERAI_AZ"));
        return KubeConnection.open("aksDeploy", azure, credentials, stageEvents, KubeConnection.KUBECONFIG_OR_AZURE_HELP);
    }

    private String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                contexts:
                - name: mock
                  context: {cluster: mock, user: ci}
                current-context: mock
                users:
                - name: ci
                  user: {token: t0ken-never-shown}
                """.formatted(cluster.server.url("/").replaceAll("/$", ""));
    }

    @Test
    void kubeconfigNamedByKubeconfig_connects() throws Exception {
        Path file = Files.writeString(dir.resolve("kubeconfig"), kubeconfig());
        try (KubeConnection c = open(null, Map.of("KUBECONFIG", file.toString()))) {
            assertThat(c.server()).startsWith("http://localhost:");
            assertThat(c.client().services().inNamespace("default").list().getItems()).isEmpty();
            assertThat(c.client().getConfiguration().getRequestRetryBackoffLimit()).isZero();
        }
        assertThat(events.toString()).doesNotContain("t0ken-never-shown");
    }

    @Test
    void noCredentials_isInvalidInput_sayingWhatToSet() {
        assertThatThrownBy(() -> open(null, Map.of()))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy")).isEqualTo("aksDeploy: no credentials for "
                        + "the cluster: set KUBECONFIG to the path of a kubeconfig file (a Jenkins file credential), or set "
                        + "resource_group and cluster_name with AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID for az aks get-credentials"));
        assertThatThrownBy(() -> open(null, Map.of("KUBECONFIG", dir.resolve("nope").toString())))
                .isInstanceOf(PowerAiException.InvalidInput.class).hasMessageContaining("which is not a file");
    }

    private Path fakeAz(String loginBehaviour) throws Exception {
        Path log = dir.resolve("az.log");
        Path az = dir.resolve("az");
        Path kubeconfigSource = Files.writeString(dir.resolve("cluster-kubeconfig"), kubeconfig());
        Files.writeString(az, """
                #!/bin/sh
                echo "AZURE_CONFIG_DIR=$AZURE_CONFIG_DIR $1 $2" >> %s
                echo "argv $*" >> %s
                [ "$1" = login ] && echo "password file holds: $(cat "${6#@}") mode $(stat -c %%a "${6#@}")" >> %s
                case "$1" in
                  login) %s ;;
                  aks) while [ $# -gt 0 ]; do [ "$1" = "--file" ] && cp %s "$2"; echo "arg $1" >> %s; shift; done ;;
                esac
                exit 0
                """.formatted(log, log, log, loginBehaviour, kubeconfigSource, log));
        Files.setPosixFilePermissions(az, PosixFilePermissions.fromString("rwx------"));
        return az;
    }

    private Map<String, String> servicePrincipal(Path az) {
        return Map.of("POWERAI_AZ", az.toString(), "AZURE_CLIENT_ID", "00000000-1111-2222-3333-444444444444",
                "AZURE_CLIENT_SECRET", "sp-s3cret-value", "AZURE_TENANT_ID", "tenant-1", "AZURE_SUBSCRIPTION_ID", "sub-1");
    }

    @Test
    void servicePrincipal_azLoginAndGetCredentials_intoATempKubeconfig_deletedOnClose() throws Exception {
        Path az = fakeAz("true");
        Path temp;
        try (KubeConnection c = open(AKS, servicePrincipal(az))) {
            temp = c.tempDir();
            assertThat(temp).isDirectory();
            assertThat(Files.getPosixFilePermissions(temp)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(c.client().services().inNamespace("default").list().getItems()).isEmpty();
        }
        assertThat(temp).doesNotExist();
        List<String> log = Files.readAllLines(dir.resolve("az.log"));
        assertThat(log.get(0)).isEqualTo("AZURE_CONFIG_DIR=" + temp.resolve("az") + " login --service-principal");
        assertThat(log).contains("arg --resource-group", "arg rg-ml", "arg --name", "arg aks-prod", "arg --file",
                "arg " + temp.resolve("kubeconfig"), "arg --subscription", "arg sub-1");
        assertThat(events.toString()).doesNotContain("sp-s3cret-value").contains("az aks get-credentials --resource-group rg-ml --name aks-prod");
        // The secret reaches az through a private file named with '@', never through its command line.
        assertThat(log).filteredOn(l -> l.startsWith("argv ")).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain("sp-s3cret-value"));
        assertThat(log).contains("argv login --service-principal --username 00000000-1111-2222-3333-444444444444 --password @"
                + temp.resolve("sp-secret") + " --tenant tenant-1 --output none --only-show-errors");
        assertThat(log).contains("password file holds: sp-s3cret-value mode 600");
    }

    @Test
    void servicePrincipal_loginFails_exit3_secretRedacted_tempDirGone() throws Exception {
        Path az = fakeAz("echo \"ERROR: AADSTS7000215: Invalid client secret provided: $(cat ${6#@})\"; exit 1");
        long tempsBefore = countTemps();

        assertThatThrownBy(() -> open(AKS, servicePrincipal(az)))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageContaining("az login --service-principal failed (exit 1): ERROR: AADSTS7000215")
                .hasMessageNotContaining("sp-s3cret-value");
        assertThat(countTemps()).isEqualTo(tempsBefore);
    }

    @Test
    void servicePrincipal_incomplete_isInvalidInput() {
        assertThatThrownBy(() -> open(AKS, Map.of("AZURE_CLIENT_ID", "x")))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageEndingWith("missing AZURE_CLIENT_SECRET, AZURE_TENANT_ID");
    }

    @Test
    void azureCliMissing_exit3() {
        Map<String, String> env = new java.util.HashMap<>(servicePrincipal(dir.resolve("no-such-az")));
        assertThatThrownBy(() -> open(AKS, env))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageContaining("azure-cli (" + dir.resolve("no-such-az") + ") cannot be started");
    }

    private static long countTemps() throws Exception {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("powerai-aks-")).count();
        }
    }
}
