package io.powerai.core.files;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one path rule, on real links, fifos and folders. */
class ProjectPathsTest {
    @TempDir
    Path tmp;

    private Path project() throws Exception {
        return Files.createDirectories(tmp.resolve("project"));
    }

    private Path hostFile() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        return Files.writeString(host.resolve("secret.txt"), "host secret\n");
    }

    @Test
    void whyRefused_linkToAFolderOutside_namesTheLinkAndWhereItPoints() throws Exception {
        Path project = project();
        Path host = hostFile().getParent();
        Files.createSymbolicLink(project.resolve("data"), host);

        assertThat(ProjectPaths.whyRefused(project, project.resolve("data"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("'data' is a link to " + host).contains("outside " + project));
        assertThat(ProjectPaths.whyRefused(project, project.resolve("data/secret.txt"))).isPresent();
    }

    @Test
    void whyRefused_relativeLinkOutOfTheProject_isRefused() throws Exception {
        Path project = project();
        hostFile();
        Files.createDirectories(project.resolve("reqs"));
        Files.createSymbolicLink(project.resolve("reqs/requirements.txt"), Path.of("../../host/secret.txt"));

        assertThat(ProjectPaths.whyRefused(project, project.resolve("reqs/requirements.txt")))
                .hasValueSatisfying(reason -> assertThat(reason).contains("'reqs/requirements.txt' is a link to ../../host/secret.txt"));
    }

    @Test
    void whyRefused_linkInsideTheProject_isAllowed() throws Exception {
        Path project = project();
        Files.createDirectories(project.resolve("data/v3"));
        Files.createSymbolicLink(project.resolve("data/latest"), Path.of("v3"));
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.createSymbolicLink(project.resolve("main.py"), Path.of("train.py"));

        assertThat(ProjectPaths.whyRefused(project, project.resolve("data/latest"))).isEmpty();
        assertThat(ProjectPaths.whyRefused(project, project.resolve("main.py"))).isEmpty();
    }

    @Test
    void whyRefused_danglingLink_andLexicalEscape_areRefused() throws Exception {
        Path project = project();
        Files.createSymbolicLink(project.resolve("gone"), Path.of("/nonexistent/powerai-test"));

        assertThat(ProjectPaths.whyRefused(project, project.resolve("gone"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("which does not exist"));
        assertThat(ProjectPaths.whyRefused(project, project.resolve("../host"))).isPresent();
    }

    @Test
    void whyRefused_fifo_isRefusedNotRead() throws Exception {
        Path project = project();
        Path fifo = mkfifo(project.resolve("pipe"));

        assertThat(ProjectPaths.whyRefused(project, fifo)).hasValueSatisfying(reason -> assertThat(reason).contains("special file"));
    }

    @Test
    void files_linkToAHostFileInAFolder_isRefusedNamingIt() throws Exception {
        Path outputs = project();
        Path secret = hostFile();
        Files.createDirectories(outputs.resolve("modeldir"));
        Files.writeString(outputs.resolve("modeldir/model.pkl"), "model");
        Files.createSymbolicLink(outputs.resolve("modeldir/leak.txt"), secret);

        assertThatThrownBy(() -> ProjectPaths.files(outputs.resolve("modeldir"), outputs, Set.of(), "scoringImage: 'model'"))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("scoringImage: 'model' refused: 'leak.txt' is a link to " + secret);
    }

    @Test
    void files_linksInsideTheRoot_areFollowedAsPlainFiles_excludedTopLevelLeftOut() throws Exception {
        Path project = project();
        Files.createDirectories(project.resolve("data/v3"));
        Files.writeString(project.resolve("data/v3/a.csv"), "1,2\n");
        Files.createSymbolicLink(project.resolve("data/latest"), Path.of("v3"));
        Files.createDirectories(project.resolve(".powerai"));
        Files.writeString(project.resolve(".powerai/x.json"), "{}");

        assertThat(ProjectPaths.files(project, project, Set.of(".powerai"), "t").keySet())
                .containsExactly("data/latest/a.csv", "data/v3/a.csv");
    }

    @Test
    void files_aLinkCycle_isRefused() throws Exception {
        Path project = project();
        Files.createDirectories(project.resolve("a"));
        Files.createSymbolicLink(project.resolve("a/loop"), Path.of(".."));

        assertThatThrownBy(() -> ProjectPaths.files(project, project, Set.of(), "t")).hasMessageContaining("'a/loop'")
                .hasMessageContaining("cycle");
    }

    @Test
    void files_fifoInAFolder_isRefused() throws Exception {
        Path project = project();
        mkfifo(project.resolve("pipe"));

        assertThatThrownBy(() -> ProjectPaths.files(project, project, Set.of(), "t")).hasMessageContaining("'pipe' is a special file");
    }

    @Test
    void copyTree_writesPlainFilesOnly() throws Exception {
        Path project = project();
        Files.writeString(project.resolve("a.txt"), "a");
        Files.createSymbolicLink(project.resolve("b.txt"), Path.of("a.txt"));
        Path to = tmp.resolve("context");

        ProjectPaths.copyTree(project, project, Set.of(), to, "t");

        assertThat(Files.isSymbolicLink(to.resolve("b.txt"))).isFalse();
        assertThat(Files.readString(to.resolve("b.txt"))).isEqualTo("a");
    }

    @Test
    void deleteTree_removesLinksWithoutFollowingThem() throws Exception {
        Path secret = hostFile();
        Path dir = Files.createDirectories(tmp.resolve("outputs"));
        Files.createSymbolicLink(dir.resolve("host"), secret.getParent());

        ProjectPaths.deleteTree(dir);

        assertThat(dir).doesNotExist();
        assertThat(secret).exists();
    }

    @Test
    void requireNoLink_refusesALinkNamingItsTarget() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("audit.jsonl"), hostFile());

        assertThatThrownBy(() -> ProjectPaths.requireNoLink(link, ".powerai/audit.jsonl", "workspace"))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("workspace refused: '.powerai/audit.jsonl' is a link to " + tmp.resolve("host/secret.txt"));
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    private static Path mkfifo(Path path) throws Exception {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
            Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo failed");
        } catch (java.io.IOException e) {
            Assumptions.abort("needs mkfifo (coreutils): " + e.getMessage());
        }
        return path;
    }
}
