package io.powerai.core.stage.deploy;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.Stage;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The new model's metrics, as the gate reads them: those of the training that wrote the scoring image's model. The
 * digests are computed here the way the stages compute them (the training lists every output file with its SHA-256;
 * the scoring image hashes a model folder as its canonical listing), over real files.
 */
class ModelMetricsTest {
    @TempDir
    Path project;

    private Workspace workspace;
    private Path outputs;

    private void trained(String... files) throws Exception {
        workspace = new Workspace(project, Clock.systemUTC());
        outputs = workspace.dir().resolve("train/outputs");
        for (int i = 0; i < files.length; i++) {
            Path file = outputs.resolve(files[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "content of " + files[i] + " " + i);
        }
        Map<String, Object> train = new LinkedHashMap<>();
        train.put("schemaVersion", 1);
        train.put("stage", "gpuTrain");
        train.put("status", "succeeded");
        train.put("outputsDir", "train/outputs");
        train.put("outputs", Digests.sha256Tree(outputs, outputs, Set.of(), "test")); // as TrainingRun lists them
        train.put("metrics", Map.of("test_accuracy", 0.97, "loss", 0.12));
        workspace.writeResult(Stage.TRAIN, train);
    }

    private void scoringImageOf(String model, String sha) {
        Map<String, Object> scoring = new LinkedHashMap<>();
        scoring.put("schemaVersion", 1);
        scoring.put("stage", "scoringImage");
        scoring.put("status", "succeeded");
        scoring.put("image", "127.0.0.1:5000/demo-score@sha256:" + "ab".repeat(32));
        scoring.put("model", model);
        scoring.put("modelSha256", sha);
        workspace.writeResult(Stage.SCORING_IMAGE, scoring);
    }

    @Test
    void ofScoringImage_aOneFileModel_theTrainingsMetrics() throws Exception {
        trained("model.pkl", "parity.json");
        scoringImageOf("model.pkl", Digests.sha256(outputs.resolve("model.pkl")));

        assertThat(ModelMetrics.ofScoringImage(workspace)).containsEntry("test_accuracy", 0.97).containsEntry("loss", 0.12);
    }

    @Test
    void ofScoringImage_aModelOfSeveralFiles_theDigestOverTheSet_asTheScoringImageRecordsIt() throws Exception {
        trained("model/weights.bin", "model/config.json", "model/tokenizer/vocab.txt", "parity.json");
        // ScoringImage's digest of a folder model
        String folderSha = Digests.sha256OfTree(outputs.resolve("model"), outputs, Set.of(), "test");
        scoringImageOf("model", folderSha);

        assertThat(ModelMetrics.ofScoringImage(workspace)).containsEntry("test_accuracy", 0.97);
        assertThat(ModelMetrics.requireOfScoringImage(workspace, "aksDeploy", null)).containsEntry("test_accuracy", 0.97);
        scoringImageOf("model/", folderSha); // the same folder, named with a trailing slash
        assertThat(ModelMetrics.ofScoringImage(workspace)).containsEntry("test_accuracy", 0.97);
    }

    @Test
    void ofScoringImage_aFolderModelOfAnotherTraining_isUnknown_andTheGateSaysSo() throws Exception {
        trained("model/weights.bin", "model/config.json");
        Path other = project.resolve("other/model");
        Files.createDirectories(other);
        Files.writeString(other.resolve("weights.bin"), "another training's weights");
        scoringImageOf("model", Digests.sha256OfTree(other, other, Set.of(), "test"));

        assertThat(ModelMetrics.ofScoringImage(workspace)).isNull();
        assertThatThrownBy(() -> ModelMetrics.requireOfScoringImage(workspace, "aksDeploy", null))
                .isInstanceOf(PowerAiException.InvalidInput.class).hasMessageContaining("did not write the model of the last scoring image");
    }

    @Test
    void ofScoringImage_aFolderNamePrefixOfAFile_isNotTheFolder() throws Exception {
        trained("model.pkl", "model/weights.bin");
        scoringImageOf("model", Digests.sha256OfTree(outputs.resolve("model"), outputs, Set.of(), "test"));

        // Only model/weights.bin is the folder "model"; model.pkl shares the prefix "model" but not "model/".
        assertThat(ModelMetrics.ofScoringImage(workspace)).containsEntry("test_accuracy", 0.97);
        assertThat(Json.readObject(workspace.resultFile(Stage.TRAIN))).containsKey("outputs");
    }

    @Test
    void metricsRecord_roundTrips_andAnUnreadableRecordIsNone() {
        String record = ModelMetrics.record(Map.of("test_accuracy", 0.99, "parameters", 105476.0));

        assertThat(record).isEqualTo("{\"parameters\":105476.0,\"test_accuracy\":0.99}");
        assertThat(ModelMetrics.parse(record)).isEqualTo(Map.of("test_accuracy", 0.99, "parameters", 105476.0));
        assertThat(ModelMetrics.parse("{not json")).isNull();
        assertThat(ModelMetrics.parse(null)).isNull();
        assertThat(ModelMetrics.record(Map.of())).isNull();
    }
}
