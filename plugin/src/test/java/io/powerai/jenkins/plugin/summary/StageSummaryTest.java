package io.powerai.jenkins.plugin.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What a stage's entry on the build page links to, and what no argument can make it link to. */
class StageSummaryTest {

    @Test
    void training_linksItsResultLogAndChart_relativeToTheBuild() {
        StageSummary entry = StageSummary.of("poweraiSummary", "gpuTrain", " [gpuTrain] succeeded: metrics {accuracy=0.9} ",
                ".powerai/gpuTrain.json", ".powerai/train/train.log", ".powerai/train/metrics.svg");

        assertThat(entry.getStage()).isEqualTo("gpuTrain");
        assertThat(entry.getText()).isEqualTo("[gpuTrain] succeeded: metrics {accuracy=0.9}");
        assertThat(entry.getLinks()).extracting(Object::toString).containsExactly(
                "result: gpuTrain.json -> artifact/.powerai/gpuTrain.json",
                "log: train.log -> artifact/.powerai/train/train.log",
                "metrics chart: metrics.svg -> artifact/.powerai/train/metrics.svg");
    }

    @Test
    void aStageWithoutALogFile_linksTheBuildsConsoleOutput() {
        StageSummary entry = StageSummary.of("poweraiSummary", "aksDeploy", "deployed", ".powerai/aksDeploy.json", null, " ");

        assertThat(entry.getLinks()).extracting(Object::toString).containsExactly(
                "result: aksDeploy.json -> artifact/.powerai/aksDeploy.json",
                "log: console output -> console");
    }

    @Test
    void aHostileFileName_isPercentEncodedInTheLink_andKeptAsTextInItsLabel() {
        String hostile = "x\"><img src=x onerror=alert(1)> ?#&%.json";
        StageSummary entry = StageSummary.of("poweraiSummary", "gpuTrain", "<img src=x onerror=alert(1)>",
                ".powerai/" + hostile, null, null);

        SummaryLink result = entry.getLinks().get(0);
        assertThat(result.getHref()).isEqualTo("artifact/.powerai/x%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%20%3F%23%26%25.json");
        assertThat(result.getHref()).doesNotContain("\"", "<", ">", " ", "?", "#");
        // the view prints labels and text with escape-by-default (ViewsTest): they stay the user's characters
        assertThat(result.getLabel()).isEqualTo(hostile);
        assertThat(entry.getText()).isEqualTo("<img src=x onerror=alert(1)>");
    }

    @Test
    void pathsOutsideTheArchive_andABadStageName_areEachNamedInOneLine() {
        assertThatThrownBy(() -> StageSummary.of("poweraiSummary", "gpu\"Train", "t", "/etc/passwd", "../../config.xml",
                "https://example.invalid/x.svg"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("poweraiSummary: 'stage' must be a step name")
                .hasMessageContaining("'result' must be an archived file's path relative to the workspace")
                .hasMessageContaining("got '/etc/passwd'")
                .hasMessageContaining("'log' must be").hasMessageContaining("got '../../config.xml'")
                .hasMessageContaining("'chart' must be").hasMessageContaining("got 'https://example.invalid/x.svg'")
                .hasMessageNotContaining("\n");
    }
}
