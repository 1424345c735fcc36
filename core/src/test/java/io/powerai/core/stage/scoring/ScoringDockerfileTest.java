package io.powerai.core.stage.scoring;

import io.powerai.core.Golden;
import io.powerai.core.image.ImageReference;
import io.powerai.core.spec.ScoreSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: src/test/resources/io/powerai/core/stage/scoring/ScoringDockerfileTest/*.expected.Dockerfile
 * ({@code -Dpowerai.updateGolden=true} rewrites them; review the diff before committing).
 */
class ScoringDockerfileTest {
    private static final ImageReference SNAPSHOT_IMAGE =
            ImageReference.parse("127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32));
    private static final String MODEL_SHA = "0123456789ab" + "c".repeat(52);
    private static final String IMAGE_ID = "9".repeat(64);
    private static final String SNAPSHOT_ID = "5".repeat(64);
    private static final ScoreSpec DEFAULTS = new ScoreSpec(Path.of("score.py"), "model.pkl", null, null);

    private static ScoringDockerfile.Layout layout(String entry, String source, String revision, boolean samples, ScoreSpec serving) {
        return new ScoringDockerfile.Layout("svm-moons", SNAPSHOT_IMAGE, SNAPSHOT_ID, entry, MODEL_SHA.substring(0, 12), MODEL_SHA,
                IMAGE_ID, source, revision, samples, samples, serving);
    }

    @Test
    void renderDockerfile_matchesGolden() {
        String dockerfile = ScoringDockerfile.render(layout("score.py", "https://git.example/ml/svm-moons.git",
                "f".repeat(40), true, DEFAULTS));

        Golden.assertMatches(ScoringDockerfileTest.class, "svm-moons", "Dockerfile", dockerfile);
        assertThat(dockerfile)
                .contains("FROM " + SNAPSHOT_IMAGE + "\n")
                .contains("COPY model/ /var/azureml-app/azureml-models/svm-moons/0123456789ab/\n")
                .contains("AZUREML_ENTRY_SCRIPT=\"/var/azureml-app/score.py\"")
                .contains("org.opencontainers.image.revision=\"" + "f".repeat(40) + "\"")
                .contains("io.powerai.snapshot-id=\"" + SNAPSHOT_ID + "\"")
                .contains("io.powerai.model.sha256=\"" + MODEL_SHA + "\"")
                .contains("POWERAI_SAMPLE_REQUEST=\"/var/azureml-app/powerai/sample-request.json\"")
                .contains("USER 65534:65534\n")
                .doesNotContain("WORKER_COUNT").doesNotContain("POWERAI_PRELOAD");
        assertThat(dockerfile.lines().filter(l -> l.startsWith("EXPOSE "))).containsExactly("EXPOSE 5001");
    }

    @Test
    void renderDockerfile_servingSettings_becomeTheServersEnvironment() {
        ScoreSpec serving = new ScoreSpec(Path.of("score.py"), "model.pkl", null, null, 3, 1500, 4096, 1e-3, "builtin", false);
        String dockerfile = ScoringDockerfile.render(layout("score.py", null, null, false, serving));

        Golden.assertMatches(ScoringDockerfileTest.class, "serving-no-git-no-samples", "Dockerfile", dockerfile);
        assertThat(dockerfile).contains("WORKER_COUNT=\"3\"").contains("POWERAI_SCORING_TIMEOUT_MS=\"1500\"")
                .contains("POWERAI_MAX_REQUEST_BYTES=\"4096\"").contains("POWERAI_SERVER=\"builtin\"").contains("POWERAI_PRELOAD=\"0\"")
                .doesNotContain("org.opencontainers.image.source").doesNotContain("revision")
                .doesNotContain("samples/").doesNotContain("POWERAI_SAMPLE");
    }

    @Test
    void renderDockerfile_modelIsTheLastLayer_metadataAfterTheFiles() {
        String dockerfile = ScoringDockerfile.render(layout("score.py", null, null, true, DEFAULTS));
        int model = dockerfile.indexOf("COPY model/");

        assertThat(model).isGreaterThan(dockerfile.indexOf("COPY score.py")).isGreaterThan(dockerfile.indexOf("COPY samples/"));
        assertThat(dockerfile.indexOf("\nENV")).isGreaterThan(model);
        assertThat(dockerfile.indexOf("\nLABEL")).isGreaterThan(model);
    }

    @Test
    void renderDockerfile_labelValues_areQuotedAgainstExpansion() {
        String dockerfile = ScoringDockerfile.render(layout("score.py", "https://host/$HOME/\"x\"", null, false, DEFAULTS));

        assertThat(dockerfile).contains("org.opencontainers.image.source=\"https://host/\\$HOME/\\\"x\\\"\"");
    }

    @Test
    void renderDockerfile_twice_givesIdenticalBytes() {
        String first = ScoringDockerfile.render(layout("score.py", "https://h/r.git", "a".repeat(40), true, DEFAULTS));
        String second = ScoringDockerfile.render(layout("score.py", "https://h/r.git", "a".repeat(40), true, DEFAULTS));

        assertThat(second.getBytes(StandardCharsets.UTF_8)).isEqualTo(first.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void renderDockerfile_otherEntryScriptName_isCopiedAndNamedInTheEnvironment() {
        String dockerfile = ScoringDockerfile.render(layout("entry.py", null, null, false, DEFAULTS));

        assertThat(dockerfile).contains("COPY entry.py /var/azureml-app/entry.py\n")
                .contains("AZUREML_ENTRY_SCRIPT=\"/var/azureml-app/entry.py\"")
                .doesNotContain("score.py");
    }

    @Test
    void serverScript_isPackagedAndNonEmpty() {
        byte[] server = ScoringImage.serverScript();

        assertThat(server).isNotEmpty();
        String text = new String(server, StandardCharsets.UTF_8);
        assertThat(text).contains("AZUREML_ENTRY_SCRIPT").contains("def main()").contains("/score").contains("/health")
                .contains("/swagger.json");
    }

    @Test
    void modelDir_isVersionedUnderTheProjectName() {
        assertThat(ScoringDockerfile.modelDir("svm-moons", "0123456789ab"))
                .isEqualTo("/var/azureml-app/azureml-models/svm-moons/0123456789ab");
        assertThat(ScoringDockerfile.modelDir("svm-moons", "ba9876543210"))
                .isNotEqualTo(ScoringDockerfile.modelDir("svm-moons", "0123456789ab"));
    }
}
