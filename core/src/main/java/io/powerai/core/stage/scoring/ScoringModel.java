package io.powerai.core.stage.scoring;

import io.powerai.core.PowerAiException;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Digests;
import io.powerai.core.spec.Stage;
import io.powerai.core.workspace.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The model a scoring image carries: a file or folder of the last training's outputs, its files (links resolved,
 * none out of the outputs) and its SHA-256, the first twelve digits of which version its path in the image.
 *
 * @param outputs the training's outputs folder
 * @param files path relative to the model to the real file
 */
record ScoringModel(Path outputs, Map<String, Path> files, String sha256) {
    private static final String STAGE_NAME = Stage.SCORING_IMAGE.stepName();

    String version() {
        return sha256.substring(0, 12);
    }

    /** The model {@code modelPath} names in the training's outputs, {@code outputsDir} as its result names it. */
    static ScoringModel of(Workspace workspace, String outputsDir, String modelPath) {
        Path outputs = trainingOutputs(workspace, outputsDir);
        // The training script wrote the outputs: a link in them must not carry a host file into the image.
        Path model = ProjectPaths.requireInside(outputs, outputs.resolve(modelPath), STAGE_NAME + ": 'model'");
        if (!Files.exists(model)) {
            throw new PowerAiException.InvalidInput(STAGE_NAME + ": 'model' must name a file or folder the training wrote; got '"
                    + modelPath + "' (the outputs are: " + String.join(", ", ProjectPaths.files(outputs, outputs, Set.of(),
                    STAGE_NAME + ": training outputs").keySet()) + ")");
        }
        Map<String, Path> files = ProjectPaths.files(model, outputs, Set.of(), STAGE_NAME + ": 'model'");
        String sha = Files.isDirectory(model)
                ? Digests.sha256OfTree(model, outputs, Set.of(), STAGE_NAME + ": 'model'")
                : Digests.sha256(files.values().iterator().next());
        return new ScoringModel(outputs, files, sha);
    }

    /** The training's outputs folder as its result names it, which must stay inside the workspace folder. */
    static Path trainingOutputs(Workspace workspace, String outputsDir) {
        Path dir = workspace.dir();
        return ProjectPaths.requireInside(dir, dir.resolve(String.valueOf(outputsDir)),
                STAGE_NAME + ": the training result's 'outputsDir'");
    }
}
