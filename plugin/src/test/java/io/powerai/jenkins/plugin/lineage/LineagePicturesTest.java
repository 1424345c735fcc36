package io.powerai.jenkins.plugin.lineage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class LineagePicturesTest {
    /** The .powerai folder of a real `powerai run examples/svm-moons`, kept with the core's lineage tests. */
    private static final Path SVM = Path.of("../core/src/test/resources/io/powerai/core/lineage/svm-moons");

    private static String decode(String dataUri) {
        assertThat(dataUri).startsWith("data:image/svg+xml;base64,");
        return new String(Base64.getDecoder().decode(dataUri.substring("data:image/svg+xml;base64,".length())), StandardCharsets.UTF_8);
    }

    @Test
    void read_aBuildsCopy_drawsTheLineageAndTheMetrics_andListsTheArchivedFiles() {
        LineagePictures pictures = LineagePictures.read(SVM);

        assertThat(decode(pictures.getLineage())).contains(">d6a514206fbc</text>").contains("audit log verified: 4 record(s)");
        assertThat(decode(pictures.getMetrics())).contains(">Single values</text>").contains(">support_vectors</text>");
        assertThat(pictures.getFiles()).extracting(LineagePictures.FileLink::getPath)
                .containsExactly("amlEnvSnapshot.json", "gpuTrain.json", "train/train.log", "train/outputs/model.pkl",
                        "scoringImage.json", "aksDeploy.json");
    }

    @Test
    void read_aBuildWithoutResults_hasAGraphOfStagesNotRun_andNoMetrics(@TempDir Path empty) throws Exception {
        Files.createDirectories(empty);

        LineagePictures pictures = LineagePictures.read(empty);

        assertThat(decode(pictures.getLineage())).contains(">not run</text>");
        assertThat(pictures.getMetrics()).isNull();
        assertThat(pictures.getFiles()).isEmpty();
    }
}
