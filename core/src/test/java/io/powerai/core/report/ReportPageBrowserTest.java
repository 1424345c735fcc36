package io.powerai.core.report;

import io.powerai.core.lineage.LineageFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The report in a real browser (Debian's chromium, which scripts/infra.sh installs), served as Jenkins serves an
 * archived artifact: with Jenkins' default Content-Security-Policy for archived files, exactly. The screenshot is
 * left at target/report-screenshots/ for a person to look at.
 */
class ReportPageBrowserTest {
    private static Path chromium;

    @TempDir
    Path temp;

    @BeforeAll
    static void findChromium() {
        chromium = HeadlessChromium.find();
    }

    private Path report() throws Exception {
        Path dir = LineageFixture.copy(temp.resolve("archive/.powerai"));
        ReportPage.write(dir);
        return dir;
    }

    @Test
    void report_underJenkinsArtifactCsp_showsItsTextAndTheBrowserBlocksNothing() throws Exception {
        assumeTrue(chromium != null, "chromium is not installed (scripts/infra.sh installs it): the report is not checked in a browser");
        Path dir = report();
        try (ArchivedArtifactServer server = new ArchivedArtifactServer(dir)) {
            HeadlessChromium.Loaded dom = HeadlessChromium.load(chromium, temp.resolve("profile"), server.url("report.html"), "--dump-dom");

            assertThat(dom.exitCode()).isZero();
            assertThat(dom.stdout()).contains("Audit log verified: 4 record(s), hash chain intact.")
                    .contains("Lineage: environment, code and data to deployment").contains(">Single values</text>")
                    .contains(">support_vectors</text>").contains("<code>aksDeploy</code>");
            assertThat(dom.blocked()).as("what the browser blocked or refused").isEmpty();
            assertThat(server.requested()).contains("/report.html", "/report.css"); // the stylesheet beside it was fetched

            Path screenshots = Path.of("target/report-screenshots");
            Files.createDirectories(screenshots);
            Path png = screenshots.resolve("svm-moons-report.png").toAbsolutePath();
            Files.deleteIfExists(png);
            HeadlessChromium.Loaded shot = HeadlessChromium.load(chromium, temp.resolve("profile"), server.url("report.html"),
                    "--screenshot=" + png, "--window-size=1240,1500", "--hide-scrollbars");
            assertThat(shot.blocked()).isEmpty();
            assertThat(png).exists();
            assertThat(Files.size(png)).isGreaterThan(10_000);
        }
    }

    /** The check above can fail: the same browser, server and detector catch a page with an inline style and a script. */
    @Test
    void detector_catchesInlineStyleAndScript() throws Exception {
        assumeTrue(chromium != null, "chromium is not installed (scripts/infra.sh installs it): the report is not checked in a browser");
        Path dir = Files.createDirectories(temp.resolve("bad"));
        Files.writeString(dir.resolve("bad.html"), "<!DOCTYPE html><html><head><style>p{color:red}</style></head>"
                + "<body><p style=\"color:blue\">bad page</p><script>document.title='x'</script></body></html>");
        try (ArchivedArtifactServer server = new ArchivedArtifactServer(dir)) {
            HeadlessChromium.Loaded dom = HeadlessChromium.load(chromium, temp.resolve("profile"), server.url("bad.html"), "--dump-dom");

            assertThat(dom.stdout()).contains("bad page");
            assertThat(dom.blocked()).hasSizeGreaterThanOrEqualTo(3);
        }
    }
}
