package io.powerai.core.report;

import io.powerai.core.Golden;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden files: src/test/resources/io/powerai/core/report/ReportPageTest/*.expected.html (-Dpowerai.updateGolden=true). */
class ReportPageTest {
    private static final Path SVM = Path.of("src/test/resources/io/powerai/core/lineage/svm-moons");

    @TempDir
    Path temp;

    @Test
    void render_svmMoonsRun_golden_andNothingJenkinsArtifactCspBlocks() {
        String html = ReportPage.render(SVM);

        Golden.assertMatches(ReportPageTest.class, "svm-moons", "html", html);
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<style")
                .doesNotContainIgnoringCase("style=").doesNotContain("http://www.w3.org/1999/xlink\" href")
                .doesNotContain("src=").contains("<link rel=\"stylesheet\" href=\"report.css\">");
        assertThat(html).isEqualTo(ReportPage.render(SVM));
    }

    @Test
    void write_putsThePageAndItsStylesheetInTheFolder() throws Exception {
        Path page = ReportPage.write(temp);

        assertThat(page).isEqualTo(temp.resolve("report.html"));
        assertThat(Files.readString(temp.resolve("report.css"))).contains("body {");
        assertThat(Files.readString(page)).contains("not run").contains("No metric was reported");
    }

    @Test
    void render_markupInAResult_isEscaped() throws Exception {
        Files.writeString(temp.resolve("aksDeploy.json"), Json.pretty(Map.of("status", "<b>failed</b>", "target",
                "<script>alert(1)</script>", "scoringUrl", "\" onmouseover=\"x")));

        String html = ReportPage.render(temp);

        assertThat(html).doesNotContain("<script>alert").doesNotContain("<b>failed").contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("\" onmouseover");
    }
}
