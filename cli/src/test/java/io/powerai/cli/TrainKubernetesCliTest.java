package io.powerai.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai train} with backend kubernetes, through the command: what can be checked without a cluster (the dry
 * run, validation before any call, no credentials, an unreachable cluster, the pod template). Runs against a cluster are
 * tested in core against fabric8's mock API server (KubernetesTrainingMockServerTest).
 */
class TrainKubernetesCliTest {
    static final String IMAGE = "myacr.azurecr.io/svm-moons-env:" + "d1".repeat(32) + "@sha256:" + "ab".repeat(32);

    @TempDir
    Path project;

    private void project(String train) throws Exception {
        Files.writeString(project.resolve("train.py"), "print('training')\n");
        Files.writeString(project.resolve("powerai.yaml"), "name: svm-moons\ntrain:\n  script: train.py\n" + train);
    }

    private CliRun run(Map<String, String> env, String... args) {
        return CliRun.withoutKubeconfig(env, args);
    }

    private static void assertOneLineError(CliRun run, int exitCode, String... fragments) {
        run.assertOneLineError(exitCode, fragments);
    }

    @Test
    void dryRun_printsTheConfigMapAndTheJob_contactingNothing() throws Exception {
        project("  backend: kubernetes\n  namespace: ml-train\n  gpus: 1\n  node_selector: {agentpool: gpunp}\n  memory_gb: 16\n");

        CliRun run = run(Map.of(), "train", project.toString(), "--dry-run", "--image", IMAGE);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("# powerai train --dry-run: Job svm-moons-train-")
                .contains("kind: ConfigMap").contains("kind: Job").contains("namespace: ml-train").contains("agentpool: gpunp")
                .contains("nvidia.com/gpu: \"1\"").contains("memory: 16384Mi").contains("key: sku").contains("backoffLimit: 0")
                .contains("image: " + IMAGE).contains("train.py: |");
        assertThat(run.out().split("\n---\n")).hasSize(2);
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void dryRun_ofAnotherBackend_exit2() throws Exception {
        project("  backend: native\n");
        assertOneLineError(run(Map.of(), "train", project.toString(), "--dry-run"), 2,
                "gpuTrain: '--dry-run' prints the Kubernetes Job of backend 'kubernetes'; the backend is 'native'");
    }

    @Test
    void invalidSpec_exit2_everyProblemOnItsOwnLine_beforeAnyCall() throws Exception {
        project("  backend: kubernetes\n  namespace: ML_Train\n  cpu_cores: 0\n  gpu_policy: prefer\n  tolerations: sku=gpu\n");

        CliRun run = run(Map.of(), "train", project.toString(), "--image", IMAGE);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(4).allMatch(l -> l.startsWith("gpuTrain: '"))
                .anyMatch(l -> l.startsWith("gpuTrain: 'namespace' must be an RFC 1123 label"))
                .anyMatch(l -> l.startsWith("gpuTrain: 'cpu_cores' must be a number of cores greater than 0"))
                .anyMatch(l -> l.startsWith("gpuTrain: 'gpu_policy' applies only to backends 'container' and 'native'"))
                .anyMatch(l -> l.startsWith("gpuTrain: 'tolerations' must be a list of tolerations"));
    }

    @Test
    void imageNotPinned_exit2() throws Exception {
        project("  backend: kubernetes\n");
        assertOneLineError(run(Map.of(), "train", project.toString(), "--image", "myacr.azurecr.io/svm-moons-env:latest"), 2,
                "gpuTrain: 'image' must be pinned by digest on Kubernetes");
    }

    @Test
    void noCredentials_exit2_sayingWhatToSet() throws Exception {
        project("  backend: kubernetes\n");
        assertOneLineError(run(Map.of(), "train", project.toString(), "--image", IMAGE), 2,
                "gpuTrain: no credentials for the cluster: set KUBECONFIG to the path of a kubeconfig file (a Jenkins file "
                        + "credential, kubeconfigCredentialsId)");
    }

    @Test
    void unreachableCluster_exit3_tokenNeverShown() throws Exception {
        UnreachableCluster cluster = UnreachableCluster.in(project);
        project("  backend: kubernetes\n");

        CliRun run = run(Map.of("KUBECONFIG", cluster.kubeconfig().toString()), "train", project.toString(), "--image", IMAGE);

        assertOneLineError(run, 3, "gpuTrain: cannot reach the Kubernetes API at http://127.0.0.1:" + cluster.port());
        assertThat(run.out() + run.err()).doesNotContain(UnreachableCluster.TOKEN);
        assertThat(project.resolve(".powerai/audit.jsonl")).doesNotExist();
    }

    @Test
    void podTemplate_ofAKubernetesSpec_carriesItsNodeSelectorAndRequests() throws Exception {
        project("  backend: kubernetes\n  gpus: 2\n  node_selector: {agentpool: gpunp}\n  cpu_cores: 8\n");

        CliRun run = run(Map.of(), "pod-template", project.toString(), "--image", IMAGE);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("kind: Pod").contains("agentpool: gpunp").contains("cpu: \"8\"").contains("nvidia.com/gpu: \"2\"")
                .contains("- sleep");
    }

    @Test
    void stepParameters_listTheKubernetesKeys() {
        CliRun run = run(Map.of(), "step-parameters", "gpuTrain");
        assertThat(run.out().lines()).contains("namespace", "node_selector", "tolerations", "cpu_cores", "memory_gb",
                "service_account", "image_pull_secret", "data_claim", "start_timeout");
    }
}
