package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryCommandTest {
    /** The .powerai folder of a real `powerai run examples/svm-moons`, kept with the core's lineage tests. */
    private static final Path SVM = Path.of("../core/src/test/resources/io/powerai/core/lineage/svm-moons");

    @TempDir
    Path temp;

    private void build(String number, double testAccuracy) throws Exception {
        Path dir = temp.resolve("builds/" + number + "/archive/.powerai");
        LocalInfrastructure.copyTree(SVM, dir);
        Files.writeString(dir.resolve("train/metrics.json"), Json.pretty(Map.of("points",
                java.util.List.of(Map.of("name", "test_accuracy", "value", testAccuracy)))));
    }

    @Test
    void history_ofAJobsArchivedBuilds_textJsonAndTrend() throws Exception {
        build("1", 0.99);
        build("2", 0.95);
        Path svg = temp.resolve("trend.svg");

        CliRun text = CliRun.of("history", temp.resolve("builds").toString(), "--svg", svg.toString());
        CliRun json = CliRun.of("history", temp.resolve("builds").toString(), "--json");

        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).contains("runs: 2").contains(" 1 1/archive  train succeeded  model 8473bde5ef7d")
                .contains("{test_accuracy=0.95}").contains("deployments: 1");
        assertThat(Files.readString(svg)).contains(">last 0.95 at run 2</text>");
        assertThat(json.exitCode()).isZero();
        assertThat(Json.parseObject(json.out().strip())).containsKeys("runs", "environmentDrift", "deployments");
    }

    @Test
    void history_ofAFolderWithoutRuns_isExit2() {
        CliRun.of("history", temp.toString()).assertOneLineError(2, "history: no runs under");
    }
}
