package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** Every view is well-formed XML and escapes by default; help files are HTML fragments. */
class ViewsTest {
    private static final Path RESOURCES = Path.of("src/main/resources");

    @Test
    void everyJellyView_isWellFormedAndEscapesByDefault() throws Exception {
        List<Path> views = files(".jelly");
        assertThat(views).extracting(p -> RESOURCES.relativize(p).toString().replace('\\', '/')).contains(
                "index.jelly",
                "io/powerai/jenkins/plugin/MlLineageAction/index.jelly",
                "io/powerai/jenkins/plugin/ModelHistoryAction/index.jelly",
                "io/powerai/jenkins/plugin/PoweraiSummaryAction/summary.jelly",
                "io/powerai/jenkins/plugin/PoweraiGlobalConfiguration/config.jelly");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        for (Path view : views) {
            String text = Files.readString(view, StandardCharsets.UTF_8);
            assertThat(text).as(view.toString()).startsWith("<?jelly escape-by-default='true'?>");
            factory.newDocumentBuilder().parse(view.toFile());
        }
    }

    @Test
    void lineagePage_showsVerificationChainRecordsAndJson() throws IOException {
        String page = Files.readString(RESOURCES.resolve("io/powerai/jenkins/plugin/MlLineageAction/index.jelly"));
        assertThat(page).contains("${lineage.summary}", "${lineage.chain}", "${lineage.links}", "${lineage.records}",
                "${lineage.json}", "${record.inputItems}", "${record.outputItems}", "${record.trust}",
                "<img src=\"${pictures.lineage}\"", "<img src=\"${pictures.metrics}\"", "${pictures.files}",
                "${provenance.rows}", "${row.status}", "${row.keyId}", "${provenance.keysProblem}");
        // no raw output anywhere: escape-by-default must not be defeated
        assertThat(page).doesNotContain("escapeText=\"false\"").doesNotContain("<j:out");
    }

    @Test
    void stageSummary_printsOnlyWhatStageSummaryComputed_escaped() throws IOException {
        String view = Files.readString(RESOURCES.resolve("io/powerai/jenkins/plugin/PoweraiSummaryAction/summary.jelly"));
        assertThat(view).contains("${it.entries}", "${entry.text}", "${entry.links}", "href=\"${link.href}\"", "${link.label}");
        assertThat(view).doesNotContain("escapeText=\"false\"").doesNotContain("<j:out").doesNotContain("artifact/");
    }

    @Test
    void helpFiles_areSingleDivFragments() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        for (Path help : files(".html")) {
            String text = Files.readString(help, StandardCharsets.UTF_8).strip();
            assertThat(text).as(help.toString()).startsWith("<div>").endsWith("</div>");
            factory.newDocumentBuilder().parse(help.toFile());
        }
    }

    private static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(RESOURCES)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
