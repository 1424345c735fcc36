package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Finding 3 and 4 of issue 14 at spec time: every path powerai.yaml names is taken by its real location (a link
 * out of the project is refused, naming the link and where it points), and a name with a control character is
 * refused before anything runs.
 */
class PathRuleSpecTest {
    @TempDir
    Path tmp;
    Path project;
    Path host;

    @BeforeEach
    void layout() throws Exception {
        project = Files.createDirectories(tmp.resolve("project"));
        host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("secret.txt"), "numpy==1.26.4\n");
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.writeString(project.resolve("score.py"), "def init(): pass\n");
    }

    private String problems(String yaml) throws Exception {
        Files.writeString(project.resolve(PipelineSpec.FILE_NAME), "name: demo\n" + yaml);
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class,
                () -> PipelineSpec.read(project.resolve(PipelineSpec.FILE_NAME), null));
        assertThat(e).as("reading the spec must fail").isNotNull();
        return e.getMessage();
    }

    @Test
    void data_linkToAHostFolder_isRefused() throws Exception {
        Files.createSymbolicLink(project.resolve("data"), host);

        assertThat(problems("train:\n  script: train.py\n  data: data\n"))
                .contains("gpuTrain: 'data' must stay inside the project directory")
                .contains("'data' is a link to " + host);
    }

    @Test
    void entryScript_linkToAHostFile_isRefused() throws Exception {
        Files.createSymbolicLink(project.resolve("entry.py"), host.resolve("secret.txt"));

        assertThat(problems("score:\n  entry_script: entry.py\n  model: model.pkl\n"))
                .contains("scoringImage: 'entry_script'").contains("'entry.py' is a link to " + host.resolve("secret.txt"));
    }

    @Test
    void pipRequirements_linkToAHostFile_isRefused() throws Exception {
        Files.createSymbolicLink(project.resolve("requirements.txt"), host.resolve("secret.txt"));

        assertThat(problems("environment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n  pip_requirements: requirements.txt\n"))
                .contains("amlEnvSnapshot: 'pip_requirements'").contains("'requirements.txt' is a link to");
    }

    @Test
    void pipRequirements_includeThroughAFolderLink_isRefused() throws Exception {
        Files.createSymbolicLink(project.resolve("shared"), host);
        Files.writeString(project.resolve("requirements.txt"), "-r shared/secret.txt\n");

        assertThat(problems("environment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n  pip_requirements: requirements.txt\n"))
                .contains("an included file must stay inside the project directory").contains("'shared' is a link to " + host);
    }

    @Test
    void pipRequirements_localPackageLinkedOut_isRefused() throws Exception {
        Files.createSymbolicLink(project.resolve("pkg"), host);
        Files.writeString(project.resolve("requirements.txt"), "./pkg\n");

        assertThat(problems("environment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n  pip_requirements: requirements.txt\n"))
                .contains("a local path must stay inside the project directory").contains("'pkg' is a link to " + host);
    }

    @Test
    void pipRequirements_newlineInTheFolderName_isRefusedOnOneLine() throws Exception {
        Path dir = Files.createDirectories(project.resolve("r\nLABEL injected=yes"));
        Files.writeString(dir.resolve("requirements.txt"), "numpy==1.26.4\n");

        String message = problems("environment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n"
                + "  pip_requirements: \"r\\nLABEL injected=yes/requirements.txt\"\n");
        assertThat(message).contains("amlEnvSnapshot: 'pip_requirements' must not hold control characters")
                .contains("'r\\nLABEL injected=yes/requirements.txt'");
        assertThat(message.lines()).hasSize(1);
    }

    @Test
    void entryScript_patternCharacters_areRefused_aSpaceIsFine() throws Exception {
        Files.writeString(project.resolve("score[1].py"), "def init(): pass\n");
        Files.writeString(project.resolve("my score.py"), "def init(): pass\n");

        assertThat(problems("score:\n  entry_script: score[1].py\n  model: model.pkl\n"))
                .contains("scoringImage: 'entry_script' must be a file name without * ? [ ]");
        Files.writeString(project.resolve(PipelineSpec.FILE_NAME), "name: demo\nscore:\n  entry_script: my score.py\n  model: model.pkl\n");
        assertThat(PipelineSpec.read(project.resolve(PipelineSpec.FILE_NAME), null).score().entryScript().getFileName())
                .hasToString("my score.py");
    }

    @Test
    void model_controlCharacter_isRefused() throws Exception {
        assertThat(problems("score:\n  entry_script: score.py\n  model: \"model\\u001b[2J.pkl\"\n"))
                .contains("scoringImage: 'model'").contains("\\x1b");
    }
}
