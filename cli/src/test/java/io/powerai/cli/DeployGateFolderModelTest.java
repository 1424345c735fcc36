package io.powerai.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promotion gate over a model made of several files (score.model names a folder of the training outputs), through
 * the real stages, engine and registry: the gate finds the new model's metrics from the training that wrote that
 * folder, so the first deploy passes and a worse retraining is kept out.
 */
class DeployGateFolderModelTest {
    private static final String NAME = "gate-folder-e2e";
    private static final String CONTAINER = "powerai-" + NAME;
    /** Writes model/weights.json and model/config.json, and reports the accuracy given by ACCURACY in the environment file. */
    private static final String TRAIN = "import json, os\n"
            + "out = os.path.join(os.environ['POWERAI_OUTPUTS'], 'model')\n"
            + "os.makedirs(out, exist_ok=True)\n"
            + "accuracy = float(open('accuracy.txt').read())\n"
            + "json.dump({'w': [1, 2, 3], 'accuracy': accuracy}, open(os.path.join(out, 'weights.json'), 'w'))\n"
            + "json.dump({'layers': 1}, open(os.path.join(out, 'config.json'), 'w'))\n"
            + "print(json.dumps({'metric': 'test_accuracy', 'value': accuracy}), flush=True)\n";
    private static final String SCORE = "import json, os\n\n"
            + "def init():\n"
            + "    global weights\n"
            + "    files = {f: os.path.join(d, f) for d, _, fs in os.walk(os.environ['AZUREML_MODEL_DIR']) for f in fs}\n"
            + "    weights = json.load(open(files['weights.json']))\n"
            + "    json.load(open(files['config.json']))\n\n"
            + "def run(raw_data):\n"
            + "    return {'w': weights['w']}\n";

    @TempDir
    static Path tmp;
    static Path project;

    @BeforeAll
    static void project() throws Exception {
        LocalInfrastructure.require();
        LocalInfrastructure.run("docker", "rm", "-f", CONTAINER);
        project = tmp.resolve(NAME);
        Files.createDirectories(project);
        Files.writeString(project.resolve("train.py"), TRAIN);
        Files.writeString(project.resolve("score.py"), SCORE);
        Files.writeString(project.resolve("powerai.yaml"), "name: " + NAME + "\nregistry: " + LocalInfrastructure.REGISTRY + "\n"
                + "environment:\n  base_image: " + LocalInfrastructure.BASE_IMAGE + "\n"
                + "train:\n  script: train.py\n  timeout: 10m\n"
                + "score:\n  entry_script: score.py\n  model: model\n"
                + "deploy:\n  target: local\n  port: " + LocalInfrastructure.freePort() + "\n"
                + "  gate:\n    metric: test_accuracy\n    min_delta: 0.01\n");
    }

    @AfterAll
    static void removeService() {
        LocalInfrastructure.run("docker", "rm", "-f", CONTAINER);
    }

    @Test
    void gate_aModelOfSeveralFiles_firstDeployPasses_aWorseOneIsKept() throws Exception {
        Files.writeString(project.resolve("accuracy.txt"), "0.9");
        CliRun first = CliRun.of("run", project.toString());
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("gate test_accuracy (max, min_delta 0.01): nothing serves yet, the first model (0.9) passes");

        Files.writeString(project.resolve("accuracy.txt"), "0.5");
        CliRun worse = CliRun.of("run", project.toString());
        worse.assertOneLineError(1, "aksDeploy: gate test_accuracy (max, min_delta 0.01): the new model's 0.5 is not better than "
                + "the serving model's 0.9 by at least 0.01; the serving version stays");
    }
}
