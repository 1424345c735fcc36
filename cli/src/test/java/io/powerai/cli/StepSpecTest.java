package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The form the pipeline steps use: one step's flat parameters in a spec file (--spec), over powerai.yaml when there is one. */
class StepSpecTest {
    @TempDir
    Path project;

    @Test
    void unknownParameter_listsTheStepsParameters() throws Exception {
        Files.writeString(project.resolve("spec.json"), "{\"name\": \"demo\", \"script\": \"train.py\", \"gpu\": 1}");
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        CliRun run = CliRun.of("train", project.toString(), "--spec", project.resolve("spec.json").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("gpuTrain: unknown parameter 'gpu'. Valid parameters: "
                + "args, backend, cpuCores, cuda, data, dataClaim, env, gpuAllowShared, gpuMinFreeMemory, gpuPolicy, gpus, "
                + "image, imagePullSecret, memoryGb, name, namespace, network, nodeSelector, python, registry, script, "
                + "serviceAccount, shmSize, startTimeout, timeout, tolerations, ulimits, workdir");
    }

    @Test
    void invalidValues_reportedUnderTheStepsName() throws Exception {
        Files.writeString(project.resolve("spec.json"), "{\"name\": \"Demo_1\", \"script\": \"x.py\", \"image\": \"UPPER/case\"}");
        CliRun run = CliRun.of("train", project.toString(), "--spec", project.resolve("spec.json").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(3)
                .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: 'name'").contains("'Demo_1'"))
                .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: 'image'").contains("'UPPER/case'"))
                .anySatisfy(l -> assertThat(l).startsWith("gpuTrain: 'script'").contains("'x.py'"));
    }

    private static final String IMAGE = "127.0.0.1:5000/demo-env@sha256:" + "ab".repeat(32);

    @Test
    void stepParameters_overrideSingleKeysOfThePipelineFile_andSnakeCaseNamesSayTheirNewName() throws Exception {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.writeString(project.resolve("powerai.yaml"), "name: demo\ntrain:\n  script: train.py\n  backend: kubernetes\n"
                + "  namespace: ml-train\n  memory_gb: 16\n  node_selector: {agentpool: gpunp}\n");
        Files.writeString(project.resolve("spec.json"), "{\"namespace\": \"ml-prod\", \"node_selector\": {\"pool_name\": \"a100\"}, "
                + "\"image\": \"" + IMAGE + "\"}");

        CliRun run = CliRun.withoutKubeconfig(Map.of(), "train", project.toString(), "--spec", project.resolve("spec.json").toString(), "--dry-run");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("namespace: ml-prod").contains("memory: 16384Mi").contains("image: " + IMAGE)
                .as("the map replaced whole, its user-named keys as given").contains("nodeSelector:\n        pool_name: a100\n      restartPolicy");
        assertThat(run.out()).doesNotContain("WARNING");
        assertThat(run.err().lines()).containsExactly("[gpuTrain] WARNING: parameter 'node_selector' "
                + "is deprecated: use 'nodeSelector' (the same value; 'node_selector' stays the key in the pipeline file)");
    }

    @Test
    void aPipelineFileThatWasNamed_mustExist() throws Exception {
        Files.writeString(project.resolve("spec.json"), "{}");
        CliRun run = CliRun.of("train", project.toString(), "--spec", project.resolve("spec.json").toString(),
                "--file", project.resolve("ci/powerai.yaml").toString());
        run.assertOneLineError(2, "gpuTrain: no pipeline file at " + project.resolve("ci/powerai.yaml"));
    }

    @Test
    void stepParameters_withStepNames_listsEachCamelCaseNameWithItsFileKey() {
        CliRun run = CliRun.of("step-parameters", "--step-names", "amlEnvSnapshot");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).contains("baseImage base_image", "aptPackages apt_packages", "env env", "name name");
    }

    @Test
    void runRefusesAStepSpec() throws Exception {
        Files.writeString(project.resolve("spec.json"), "{}");
        CliRun run = CliRun.of("run", project.toString(), "--spec", project.resolve("spec.json").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("run: --spec describes one step");
    }

    @Test
    void stepParameters_listsEachStepsKeys() {
        CliRun run = CliRun.of("step-parameters", "aksDeploy");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).containsExactly("allowed_keys", "auth_enabled", "autoscale_enabled", "autoscale_max_replicas",
                "autoscale_min_replicas", "autoscale_target_utilization", "cluster_name", "cpu_cores", "cpu_cores_limit",
                "expected_response", "failure_threshold", "gate", "gpu_cores", "image", "initial_delay_seconds", "memory_gb",
                "memory_gb_limit", "metrics_port", "name", "namespace", "num_replicas", "period_seconds", "port", "ready_timeout", "registry",
                "require_provenance", "resource_group", "sample_request", "scoring_timeout_ms", "service_monitor", "service_type", "target", "timeout_seconds",
                "traffic_percent");
        assertThat(CliRun.of("step-parameters", "nope").exitCode()).isEqualTo(2);
    }

    @Test
    void trainFromASpecFile_runsInTheImageItNames() throws Exception {
        LocalInfrastructure.require();
        Files.writeString(project.resolve("train.py"), "import json, os\n"
                + "open(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.txt'), 'w').write('m')\n"
                + "print(json.dumps({'metric': 'loss', 'value': 0.5, 'step': 1}))\n");
        Files.writeString(project.resolve("spec.json"), Json.canonical(Map.of("name", "step-demo", "script", "train.py",
                "image", LocalInfrastructure.BASE_IMAGE, "args", java.util.List.of("--epochs", 1))));
        CliRun run = CliRun.of("train", project.toString(), "--spec", project.resolve("spec.json").toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, Object> result = Json.readObject(project.resolve(".powerai/gpuTrain.json"));
        assertThat(result.get("image")).isEqualTo(LocalInfrastructure.BASE_IMAGE);
        assertThat(result.get("metrics")).isEqualTo(Map.of("loss", 0.5));
        assertThat(result.get("args")).isEqualTo(java.util.List.of("--epochs", "1"));
        assertThat(result.get("outputs")).isEqualTo(Map.of("model.txt",
                "62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"));
    }
}
