package io.powerai.core.stage;

import io.powerai.core.Golden;
import io.powerai.core.image.ImageReference;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: src/test/resources/io/powerai/core/stage/ScoringImageTest/*.expected.Dockerfile
 * ({@code -Dpowerai.updateGolden=true} rewrites them; review the diff before committing).
 */
class ScoringImageTest {
    private static final ImageReference SNAPSHOT_IMAGE =
            ImageReference.parse("127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32));
    private static final String MODEL_SHA = "0123456789ab" + "c".repeat(52);
    private static final String IMAGE_ID = "9".repeat(64);

    @Test
    void renderDockerfile_matchesGolden() {
        String dockerfile = ScoringImage.renderDockerfile("svm-moons", SNAPSHOT_IMAGE, "score.py",
                MODEL_SHA.substring(0, 12), MODEL_SHA, IMAGE_ID);

        Golden.assertMatches(ScoringImageTest.class, "svm-moons", "Dockerfile", dockerfile);
        assertThat(dockerfile)
                .contains("FROM " + SNAPSHOT_IMAGE + "\n")
                .contains("COPY model/ /var/azureml-app/azureml-models/svm-moons/0123456789ab/\n")
                .contains("AZUREML_ENTRY_SCRIPT=/var/azureml-app/score.py")
                .contains("USER 65534:65534\n");
    }

    @Test
    void renderDockerfile_twice_givesIdenticalBytes() {
        String first = ScoringImage.renderDockerfile("svm-moons", SNAPSHOT_IMAGE, "score.py", "0123456789ab", MODEL_SHA, IMAGE_ID);
        String second = ScoringImage.renderDockerfile("svm-moons", SNAPSHOT_IMAGE, "score.py", "0123456789ab", MODEL_SHA, IMAGE_ID);

        assertThat(second.getBytes(StandardCharsets.UTF_8)).isEqualTo(first.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void renderDockerfile_otherEntryScriptName_isCopiedAndNamedInTheEnvironment() {
        String dockerfile = ScoringImage.renderDockerfile("svm-moons", SNAPSHOT_IMAGE, "entry.py", "0123456789ab", MODEL_SHA, IMAGE_ID);

        assertThat(dockerfile).contains("COPY entry.py /var/azureml-app/entry.py\n")
                .contains("AZUREML_ENTRY_SCRIPT=/var/azureml-app/entry.py")
                .doesNotContain("score.py");
    }

    @Test
    void serverScript_isPackagedAndNonEmpty() {
        byte[] server = ScoringImage.serverScript();

        assertThat(server).isNotEmpty();
        String text = new String(server, StandardCharsets.UTF_8);
        assertThat(text).contains("AZUREML_ENTRY_SCRIPT").contains("def main()").contains("/score");
    }

    @Test
    void modelDir_isVersionedUnderTheProjectName() {
        assertThat(ScoringImage.modelDir("svm-moons", "0123456789ab"))
                .isEqualTo("/var/azureml-app/azureml-models/svm-moons/0123456789ab");
        assertThat(ScoringImage.modelDir("svm-moons", "ba9876543210"))
                .isNotEqualTo(ScoringImage.modelDir("svm-moons", "0123456789ab"));
    }
}
