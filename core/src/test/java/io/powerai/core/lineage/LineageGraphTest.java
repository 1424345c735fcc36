package io.powerai.core.lineage;

import io.powerai.core.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden files: src/test/resources/io/powerai/core/lineage/LineageGraphTest/*.expected.svg (-Dpowerai.updateGolden=true). */
class LineageGraphTest {
    @TempDir
    Path temp;

    @Test
    void render_svmMoonsRun_golden() throws Exception {
        String svg = LineageGraph.render(LineageChain.read(LineageFixture.SVM), "");

        Golden.assertMatches(LineageGraphTest.class, "svm-moons", "svg", svg);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        assertThat(factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)))
                .getElementsByTagNameNS("http://www.w3.org/2000/svg", "a").getLength()).isEqualTo(7);
        assertThat(svg).contains(">d6a514206fbc</text>").contains(">8473bde5ef7d</text>").contains(">2026-12-06 22:42:27Z</text>")
                .contains("href=\"train/outputs/model.pkl\"").contains("audit log verified: 4 record(s)")
                .doesNotContain("differs").doesNotContain("style").doesNotContain("<script");
    }

    @Test
    void render_mismatchAndMissing_golden() throws Exception {
        Path dir = LineageFixture.copy(temp);
        LineageFixture.edit(dir, "gpuTrain", r -> r.put("outputs", java.util.Map.of("model.pkl", "ab".repeat(32))));
        Files.delete(dir.resolve("aksDeploy.json"));

        String svg = LineageGraph.render(LineageChain.read(dir), "../artifact/.powerai/");

        Golden.assertMatches(LineageGraphTest.class, "retrained-not-deployed", "svg", svg);
        assertThat(svg).contains(">differs</text>").contains(">not run</text>").contains("href=\"../artifact/.powerai/scoringImage.json\"");
    }

    @Test
    void render_markupInResults_isEscaped() throws Exception {
        Path dir = LineageFixture.copy(temp);
        LineageFixture.edit(dir, "scoringImage", r -> r.put("model", "<script>alert(1)</script>\"'&"));

        String svg = LineageGraph.render(LineageChain.read(dir), "");

        assertThat(svg).doesNotContain("<script>").contains("&lt;script&gt;");
    }
}
