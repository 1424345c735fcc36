package io.powerai.core.stage.scoring;

import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.image.ImageReference;
import io.powerai.core.spec.ScoreSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Dockerfile of a scoring image: the snapshot image, plus powerai's scoring server, the Azure ML entry script,
 * the samples its swagger is generated from and the model under a versioned path; labelled with where it comes
 * from. Pure, byte-for-byte the same for the same layout.
 */
public final class ScoringDockerfile {
    public static final String SERVER_RESOURCE = "powerai_server.py";
    public static final String APP_DIR = "/var/azureml-app";
    public static final String SAMPLES_DIR = APP_DIR + "/powerai";
    public static final int PORT = 5001;

    private ScoringDockerfile() {
    }

    public static String modelDir(String projectName, String modelVersion) {
        return APP_DIR + "/azureml-models/" + projectName + "/" + modelVersion;
    }

    /**
     * What the Dockerfile of a scoring image is rendered from.
     *
     * @param snapshotId the snapshot's id, or null when the snapshot result predates it
     * @param source where the project's code is (its git remote, without credentials), or null
     * @param revision the project's git commit, or null
     * @param sampleRequest whether the context has samples/sample-request.json (the swagger is generated from it)
     * @param sampleResponse whether the context has samples/sample-response.json
     */
    public record Layout(String projectName, ImageReference snapshotImage, String snapshotId, String entryScriptName,
                         String modelVersion, String modelSha256, String imageId, String source, String revision,
                         boolean sampleRequest, boolean sampleResponse, ScoreSpec serving) {
    }

    /**
     * The files come first and the metadata last, so that a new label or setting rebuilds no layer, and a new model
     * (last) only its own.
     */
    public static String render(Layout l) {
        String modelDir = modelDir(l.projectName(), l.modelVersion());
        DockerfileWriter out = new DockerfileWriter();
        out.comment("Rendered by powerai (scoringImage). Do not edit: change powerai.yaml and build again.");
        out.from(l.snapshotImage().toString());
        out.copy(SERVER_RESOURCE, "/var/azureml-server/" + SERVER_RESOURCE);
        out.copy(l.entryScriptName(), APP_DIR + "/" + l.entryScriptName());
        if (l.sampleRequest() || l.sampleResponse()) {
            out.copy("samples/", SAMPLES_DIR + "/");
        }
        out.copy("model/", modelDir + "/");
        out.env(environment(l, modelDir));
        out.labels(labels(l), false);
        out.workdir(APP_DIR);
        out.user("65534:65534");
        out.expose(PORT);
        out.cmd(List.of("python3", "/var/azureml-server/" + SERVER_RESOURCE));
        return out.toString();
    }

    private static Map<String, String> environment(Layout l, String modelDir) {
        ScoreSpec serving = l.serving();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZUREML_MODEL_DIR", modelDir);
        env.put("AZUREML_ENTRY_SCRIPT", APP_DIR + "/" + l.entryScriptName());
        env.put("PORT", String.valueOf(PORT));
        if (serving.workers() > 0) {
            env.put("WORKER_COUNT", String.valueOf(serving.workers()));
        }
        env.put("POWERAI_SCORING_TIMEOUT_MS", String.valueOf(serving.scoringTimeoutMs()));
        env.put("POWERAI_MAX_REQUEST_BYTES", String.valueOf(serving.maxRequestBytes()));
        env.put("POWERAI_SERVER", serving.server());
        if (!serving.preload()) {
            env.put("POWERAI_PRELOAD", "0");
        }
        if (l.sampleRequest()) {
            env.put("POWERAI_SAMPLE_REQUEST", SAMPLES_DIR + "/sample-request.json");
        }
        if (l.sampleResponse()) {
            env.put("POWERAI_SAMPLE_RESPONSE", SAMPLES_DIR + "/sample-response.json");
        }
        env.put("PYTHONUNBUFFERED", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        return env;
    }

    private static Map<String, String> labels(Layout l) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("io.powerai.scoring-image-id", l.imageId());
        if (l.snapshotId() != null) {
            labels.put("io.powerai.snapshot-id", l.snapshotId());
        }
        labels.put("io.powerai.model.sha256", l.modelSha256());
        labels.put("org.opencontainers.image.title", l.projectName() + "-score");
        labels.put("org.opencontainers.image.base.name", l.snapshotImage().toString());
        if (l.source() != null) {
            labels.put("org.opencontainers.image.source", l.source());
        }
        if (l.revision() != null) {
            labels.put("org.opencontainers.image.revision", l.revision());
        }
        return labels;
    }
}
