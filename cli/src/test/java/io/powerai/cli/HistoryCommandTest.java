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

    @Test
    void history_at_whatServedThen_textAndJson_aTimeBeforeAnyDeploy_andABadTimeIsExit2() throws Exception {
        build("1", 0.99);
        String builds = temp.resolve("builds").toString();

        CliRun at = CliRun.of("history", builds, "--at", "2026-12-07T00:00:00Z");
        CliRun before = CliRun.of("history", builds, "--at", "2026-12-06T00:00:00Z");
        CliRun json = CliRun.of("history", builds, "--at", "2026-12-07T00:00:00Z", "--json");

        assertThat(at.exitCode()).as(at.toString()).isZero();
        // no container powerai-insight-svm runs here: the archived deploy record answers
        assertThat(at.out()).contains("at 2026-12-07T00:00:00Z local powerai-insight-svm served: "
                + "127.0.0.1:5000/insight-svm-score@sha256:83e0e1ecc2e9").contains("(deploy succeeded at 2026-12-06T22:42:42.650172812Z, audit record 4)");
        assertThat(before.out()).contains("at 2026-12-06T00:00:00Z: no deployment of these runs is recorded at or before that time");
        Map<String, Object> answer = Json.parseObject(json.out().strip());
        assertThat(answer).containsEntry("at", "2026-12-07T00:00:00Z").containsKeys("servedAt", "ownRecords", "deployments");
        assertThat(String.valueOf(answer.get("servedAt"))).contains("where=powerai-insight-svm");
        CliRun.of("history", builds, "--at", "yesterday").assertOneLineError(2, "history: '--at' must be an ISO-8601 instant");
    }
}
