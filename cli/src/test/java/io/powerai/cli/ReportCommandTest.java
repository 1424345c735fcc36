package io.powerai.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReportCommandTest {
    /** The .powerai folder of a real `powerai run examples/svm-moons`, kept with the core's lineage tests. */
    private static final Path SVM = Path.of("../core/src/test/resources/io/powerai/core/lineage/svm-moons");

    @TempDir
    Path temp;

    private Path workspace() throws Exception {
        Path dir = temp.resolve("project/.powerai");
        LocalInfrastructure.copyTree(SVM, dir);
        return dir.getParent();
    }

    @Test
    void report_aWorkspace_writesThePageBesideTheResults() throws Exception {
        Path project = workspace();

        CliRun run = CliRun.of("report", project.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("report: " + project.resolve(".powerai/report.html").toAbsolutePath().normalize());
        assertThat(Files.readString(project.resolve(".powerai/report.html"))).contains("Audit log verified: 4 record(s)");
        assertThat(project.resolve(".powerai/report.css")).exists();
    }

    @Test
    void report_anArchivedPoweraiFolderItself() throws Exception {
        Path archived = workspace().resolve(".powerai");

        assertThat(CliRun.of("report", archived.toString()).exitCode()).isZero();
        assertThat(archived.resolve("report.html")).exists();
    }

    @Test
    void report_aFolderWithoutResults_isExit2WithOneLine() {
        CliRun.of("report", temp.toString()).assertOneLineError(2, "report: DIR '" + temp + "' holds no powerai results");
        assertThat(temp.resolve("report.html")).doesNotExist();
    }
}
