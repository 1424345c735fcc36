package io.powerai.core.stage;

import io.powerai.core.image.ImageReference;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.ScoreSpec;
import io.powerai.core.stage.environment.SnapshotDockerfile;
import io.powerai.core.stage.environment.SnapshotIdentity;
import io.powerai.core.stage.scoring.ScoringDockerfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finding 4 of issue 14: file names from the project reach the rendered Dockerfiles quoted. Before, a
 * requirements folder named {@code r;touch $HOME/x;x} ran {@code touch} in the build, and an entry script with a
 * space broke the scoring image's COPY and ENV lines after the training had run.
 */
class DockerfileQuotingTest {
    private static final ImageReference BASE = ImageReference.parse("127.0.0.1:5000/powerai/python-ml:bookworm");
    private static final ImageReference PINNED = BASE.pinned("sha256:" + "1f".repeat(32));

    @TempDir
    Path project;

    @Test
    void snapshot_requirementsInAFolderNamedLikeAShellCommand_isOneQuotedWord() throws Exception {
        Path dir = Files.createDirectories(project.resolve("r;touch $HOME/x;x"));
        Files.writeString(dir.resolve("req s.txt"), "numpy==1.26.4\n");
        Files.writeString(project.resolve(PipelineSpec.FILE_NAME), "name: demo\nenvironment:\n  base_image: " + BASE
                + "\n  pip_requirements: 'r;touch $HOME/x;x/req s.txt'\n");
        EnvironmentSpec env = PipelineSpec.read(project.resolve(PipelineSpec.FILE_NAME), null).environment();

        String dockerfile = SnapshotDockerfile.render("demo", env, BASE, PINNED, "0".repeat(64));

        assertThat(dockerfile).contains("RUN cd \"/opt/powerai/project/r;touch \\$HOME/x;x\" \\\n")
                .contains("      --requirement \"req s.txt\"\n")
                .doesNotContain("cd /opt/powerai/project/r;touch");
    }

    @Test
    void scoringImage_entryScriptWithASpace_isCopiedInTheJsonForm_andItsVariableQuoted() {
        ScoringDockerfile.Layout layout = new ScoringDockerfile.Layout("demo", PINNED, null, "my score.py", "0123456789ab", "0".repeat(64),
                "9".repeat(64), null, null, false, false, new ScoreSpec(Path.of("my score.py"), "model.pkl", null, null));

        String dockerfile = ScoringDockerfile.render(layout);

        assertThat(dockerfile).contains("COPY [\"my score.py\", \"/var/azureml-app/my score.py\"]\n")
                .contains("AZUREML_ENTRY_SCRIPT=\"/var/azureml-app/my score.py\"");
    }
}
