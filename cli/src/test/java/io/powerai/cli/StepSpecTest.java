package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The form the pipeline steps use: one step's flat parameters in a spec file (--spec), no powerai.yaml. */
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
                + "args, backend, cpu_cores, cuda, data, data_claim, env, gpu_allow_shared, gpu_min_free_memory, gpu_policy, gpus, "
                + "image, image_pull_secret, memory_gb, name, namespace, network, node_selector, python, registry, script, "
                + "service_account, shm_size, start_timeout, timeout, tolerations, ulimits, workdir");
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
        assertThat(run.out().lines()).containsExactly("auth_enabled", "autoscale_enabled", "autoscale_max_replicas",
                "autoscale_min_replicas", "autoscale_target_utilization", "cluster_name", "cpu_cores", "cpu_cores_limit",
                "expected_response", "failure_threshold", "gate", "gpu_cores", "image", "initial_delay_seconds", "memory_gb",
                "memory_gb_limit", "name", "namespace", "num_replicas", "period_seconds", "port", "ready_timeout", "registry",
                "resource_group", "sample_request", "scoring_timeout_ms", "service_type", "target", "timeout_seconds",
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
