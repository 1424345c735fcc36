package io.powerai.cli;

import io.powerai.core.spec.Stage;
import io.powerai.core.spec.StageDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The check SvmMoonsEndToEndTest runs on real stages' files, shown to catch a pattern no file matches. */
class DescribedArtifactsTest {
    @TempDir
    Path root;

    @Test
    void aPatternNoFileMatches_isNamed_andFilesInFoldersAndByWildcardMatch() throws Exception {
        StageDescriptor train = StageDescriptor.of(Stage.TRAIN);
        write(".powerai/gpuTrain.json");
        write(".powerai/train/train.log");
        write(".powerai/train/outputs/sub/model.pkl");

        assertThat(DescribedArtifacts.missing(train, root)).containsExactly(".powerai/train/metrics.json");

        write(".powerai/train/metrics.json");
        assertThat(DescribedArtifacts.missing(train, root)).isEmpty();

        StageDescriptor snapshot = StageDescriptor.of(Stage.SNAPSHOT);
        write(".powerai/amlEnvSnapshot.json");
        write(".powerai/environment/context/Dockerfile");
        write(".powerai/attestations/amlEnvSnapshot.cdx.json");
        assertThat(DescribedArtifacts.missing(snapshot, root)).containsExactly(".powerai/environment/manifest.json");
        write(".powerai/environment/manifest.json");
        assertThat(DescribedArtifacts.missing(snapshot, root)).as("the lock files are written only when they pin something").isEmpty();
    }

    private void write(String relative) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
    }
}
