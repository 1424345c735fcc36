package io.powerai.core.result;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Result files written by powerai before the typed records (copied from a run of the svm-moons example through all
 * four stages on the real engine and registry) read into the records, and written back give the same bytes: readers
 * of a workspace from an earlier run keep working, and the files stay what they were.
 */
class ResultsWrittenByV1Test {
    private static Path file(String name) throws URISyntaxException {
        return Path.of(ResultsWrittenByV1Test.class.getResource("written-by-v1/" + name).toURI());
    }

    @Test
    void snapshotResult_readsEveryField_andWritesTheSameBytes() throws Exception {
        SnapshotResult read = StageResults.read(file("amlEnvSnapshot.json"), SnapshotResult.class);

        assertThat(read.stage()).isEqualTo("amlEnvSnapshot");
        assertThat(read.succeeded()).isTrue();
        assertThat(read.audit()).isEqualTo(new AuditStamp(1, "adb4cf4ef13d048e0e530d40f1bfe348c689afdd68108741229bde2417d9c486"));
        assertThat(read.snapshotId()).isEqualTo("eadb9c5671e6f64028e4cae06e71e5323dd20d0f0be137ae97a4002646820b91");
        assertThat(read.image()).isEqualTo("127.0.0.1:5000/svm-moons-e2e-env@" + read.digest());
        assertThat(read.imageTag()).endsWith(":" + read.snapshotId());
        assertThat(read.baseImage()).isEqualTo("127.0.0.1:5000/powerai/python-ml:bookworm");
        assertThat(read.built()).isTrue();
        assertThat(read.packages()).isEqualTo(203);
        assertThat(read.lockFiles()).isEmpty();
        assertThat(read.gpuStack()).isNull();
        assertThat(read.attestations().signed()).isFalse();
        assertThat(read.attestations().files()).containsKeys("attestations/amlEnvSnapshot.intoto.json");
        assertThat(StageResults.toText(read)).isEqualTo(Files.readString(file("amlEnvSnapshot.json")));
    }

    @Test
    void scoringImageResult_readsEveryField_andWritesTheSameBytes_butWorkersAsTheNumberItMeans() throws Exception {
        ScoringImageResult read = StageResults.read(file("scoringImage.json"), ScoringImageResult.class);

        assertThat(read.image()).isEqualTo("127.0.0.1:5000/svm-moons-e2e-score@" + read.digest());
        assertThat(read.snapshotImage()).startsWith("127.0.0.1:5000/svm-moons-e2e-env@sha256:");
        assertThat(read.model()).isEqualTo("model.pkl");
        assertThat(read.modelSha256()).startsWith(read.modelDir().substring(read.modelDir().lastIndexOf('/') + 1));
        assertThat(read.overheadBytes()).isEqualTo(read.imageSizeBytes() - read.snapshotImageSizeBytes());
        assertThat(read.parity()).isEqualTo(new ScoringImageResult.Parity(3, 3,
                java.util.List.of("parity.json", "sample-request.json"), 1e-6));
        assertThat(read.smokeTestAnswer().toString()).isEqualTo("{\"predictions\":[0,0,1,1]}");
        assertThat(read.startToFirstScoreMillis()).isEqualTo(3401L);
        // Written as text before: it reads as 0, the number it meant.
        assertThat(read.serving().workers()).isZero();
        assertThat(read.serving().fixedWorkers()).isNull();
        assertThat(read.serving().workersText()).isEqualTo("auto (one per CPU)");

        String before = Files.readString(file("scoringImage.json"));
        assertThat(StageResults.toText(read))
                .isEqualTo(before.replace("\"workers\" : \"auto (one per CPU)\"", "\"workers\" : 0"));
    }

    @Test
    void scoringImageResult_readinessOnly_keepsItsNullStartToFirstScore() throws Exception {
        String text = Files.readString(file("scoringImage.json")).replace("\"startToFirstScoreMillis\" : 3401",
                "\"startToFirstScoreMillis\" : null");
        ScoringImageResult read = StageResults.parse(text, ScoringImageResult.class);
        assertThat(read.startToFirstScoreMillis()).isNull();
        assertThat(StageResults.toText(read)).contains("\"startToFirstScoreMillis\" : null");
    }

    @Test
    void scoringImageResult_workers_aNumberReadsAsIs_otherTextIsRefused() throws Exception {
        String text = Files.readString(file("scoringImage.json"));
        ScoringImageResult two = StageResults.parse(text.replace("\"auto (one per CPU)\"", "2"), ScoringImageResult.class);
        assertThat(two.serving().workers()).isEqualTo(2);
        assertThat(two.serving().fixedWorkers()).isEqualTo(2);
        assertThat(two.serving().workersText()).isEqualTo("2");
        assertThatThrownBy(() -> StageResults.parse(text.replace("\"auto (one per CPU)\"", "\"many\""), ScoringImageResult.class))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> StageResults.parse(text.replace("\"auto (one per CPU)\"", "2.5"), ScoringImageResult.class))
                .isInstanceOf(IOException.class);
    }
}
