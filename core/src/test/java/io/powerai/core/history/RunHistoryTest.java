package io.powerai.core.history;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.json.Json;
import io.powerai.core.lineage.LineageFixture;
import io.powerai.core.stage.training.MetricsChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * History over what Jenkins archives per build (builds/N/archive/.powerai): three runs made from the .powerai folder
 * of a real svm-moons run, changed as later runs would be: a retrained model with a lower accuracy in another
 * environment (a package changed, one added) and a rollback of its deployment, and a run whose training failed.
 */
class RunHistoryTest {
    private static final Path MANIFEST = Path.of("src/test/resources/io/powerai/core/history/manifest.json");

    @TempDir
    Path jobs;

    private Path build(String number) throws Exception {
        Path dir = LineageFixture.copy(jobs.resolve("builds/" + number + "/archive/.powerai"));
        Files.createDirectories(dir.resolve("environment"));
        Files.copy(MANIFEST, dir.resolve("environment/manifest.json"));
        return dir;
    }

    @SuppressWarnings("unchecked")
    private static void environmentDrifts(Path dir) throws Exception {
        Map<String, Object> manifest = Json.readObject(dir.resolve("environment/manifest.json"));
        List<Map<String, Object>> packages = new ArrayList<>((List<Map<String, Object>>) manifest.get("packages"));
        packages.set(0, Map.of("layer", "base", "name", "adduser", "source", "apt", "version", "3.135"));
        packages.add(Map.of("layer", "snapshot", "name", "zzz-extra", "source", "apt", "version", "1.0"));
        manifest.put("packages", packages);
        Files.writeString(dir.resolve("environment/manifest.json"), Json.pretty(manifest));
    }

    private Path threeBuilds() throws Exception {
        build("1");
        Path second = build("2");
        environmentDrifts(second);
        Files.writeString(second.resolve("train/metrics.json"), Json.pretty(Map.of("points", List.of(
                Map.of("name", "train_accuracy", "value", 0.97), Map.of("name", "test_accuracy", "value", 0.95),
                Map.of("name", "support_vectors", "value", 41)))));
        new AuditLog(second.resolve("audit.jsonl"), Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC))
                .append(new AuditLog.Entry("aksDeploy", "rolled-back", Map.of("image", "127.0.0.1:5000/insight-svm-score@sha256:" + "ab".repeat(32)),
                        Map.of(), Map.of("target", "local", "url", "http://127.0.0.1:8890/score",
                                "rolledBackTo", "127.0.0.1:5000/insight-svm-score@sha256:83e0e1ecc2e9")));
        Path failed = build("10");
        Files.delete(failed.resolve("scoringImage.json"));
        Files.delete(failed.resolve("aksDeploy.json"));
        Files.delete(failed.resolve("train/metrics.json"));
        Map<String, Object> train = Json.readObject(failed.resolve("gpuTrain.json"));
        train.put("status", "failed");
        Files.writeString(failed.resolve("gpuTrain.json"), Json.pretty(train));
        return jobs;
    }

    @Test
    void read_archivedBuilds_inBuildOrder_withMetricsDriftAndEveryDeploymentOnce() throws Exception {
        RunHistory history = RunHistory.read(List.of(threeBuilds()));

        assertThat(history.runs()).extracting(RunHistory.Run::label)
                .containsExactly("builds/1/archive", "builds/2/archive", "builds/10/archive"); // 10 after 2
        assertThat(history.runs().get(0).metrics()).containsEntry("test_accuracy", 0.99);
        assertThat(history.runs().get(1).metrics()).containsEntry("test_accuracy", 0.95);
        assertThat(history.runs().get(2).trainStatus()).isEqualTo("failed");
        assertThat(history.runs().get(2).metrics()).isEmpty();
        assertThat(history.runs().get(0).modelSha256()).startsWith("8473bde5ef7d");

        assertThat(history.drifts()).hasSize(2);
        RunHistory.Drift drift = history.drifts().get(0);
        assertThat(drift.added()).containsExactly("zzz-extra 1.0");
        assertThat(drift.changed()).containsExactly("adduser 3.134 -> 3.135");
        assertThat(history.drifts().get(1).changed()).containsExactly("adduser 3.135 -> 3.134");

        // The same four records were archived by every build: counted once; the rollback of build 2 after them.
        assertThat(history.deployments()).extracting(RunHistory.Deployment::status).containsExactly("succeeded", "rolled-back");
        assertThat(history.deployments().get(1).note()).startsWith("rolled back to ");
        assertThat(String.join("\n", history.lines())).contains("runs: 3").contains("deployments: 2")
                .contains("environment builds/1/archive -> builds/2/archive: added [zzz-extra 1.0]");
        assertThat(history.toJson()).contains("\"environmentDrift\"");
        assertThat(history.servingRun()).isEqualTo("builds/2/archive"); // its aksDeploy result succeeded; build 10 deployed nothing
    }

    @Test
    void trend_eachMetricOverTheRuns_drawnAsPanelsWithRunsOnTheXAxis() throws Exception {
        RunHistory history = RunHistory.read(List.of(threeBuilds()));

        String svg = MetricsChart.render(history.trend(), "metrics over runs", "run");

        assertThat(svg).contains(">metrics over runs</text>").contains(">test_accuracy</text>")
                .contains(">last 0.95 at run 2</text>").contains(">run</text>");
    }

    @Test
    void drift_onlyBetweenConsecutiveRunsThatArchivedTheirManifest_aRunWithoutOneSaysSo() throws Exception {
        build("1");
        Path second = build("2");
        Files.delete(second.resolve("environment/manifest.json")); // e.g. a build whose snapshot step did not run
        environmentDrifts(build("3"));

        RunHistory history = RunHistory.read(List.of(jobs));

        assertThat(history.drifts()).extracting(RunHistory.Drift::from, RunHistory.Drift::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("builds/1/archive", "builds/2/archive"),
                        org.assertj.core.groups.Tuple.tuple("builds/2/archive", "builds/3/archive"));
        assertThat(history.drifts()).allSatisfy(d -> {
            assertThat(d.unknown()).isEqualTo("not compared: run builds/2/archive archived no environment/manifest.json");
            assertThat(d.added()).isEmpty();
            assertThat(d.none()).isFalse();
        });
        assertThat(String.join("\n", history.lines()))
                .contains("environment builds/1/archive -> builds/2/archive: not compared: run builds/2/archive archived no")
                .doesNotContain("zzz-extra").doesNotContain("no drift");
    }

    @Test
    void read_workspacesNamedOneByOne_areARunEach_namedAsTheirFolders() throws Exception {
        Path first = LineageFixture.copy(jobs.resolve("build1/.powerai")).getParent();
        Path second = LineageFixture.copy(jobs.resolve("build2/.powerai")).getParent();
        Path again = LineageFixture.copy(jobs.resolve("other/build2/.powerai")).getParent();

        RunHistory history = RunHistory.read(List.of(first, second, again, second));

        assertThat(history.runs()).extracting(RunHistory.Run::label).containsExactly("build1", "build2", again.resolve(".powerai").toString());
    }

    @Test
    void localContainers_onlyNamesALocalDeploymentGives_neverAnOptionForTheEngine() throws Exception {
        Path run = LineageFixture.copy(jobs.resolve("ws/.powerai"));
        AuditLog log = new AuditLog(run.resolve("audit.jsonl"), Clock.fixed(Instant.parse("2026-12-07T02:00:00Z"), ZoneOffset.UTC));
        for (String container : List.of("--help", "powerai-svm moons", "other-svm", "powerai-svm-moons")) {
            log.append(new AuditLog.Entry("aksDeploy", "succeeded", Map.of(), Map.of(), Map.of("target", "local", "container", container)));
        }

        assertThat(RunHistory.read(List.of(run)).localContainers()).containsExactly("powerai-insight-svm", "powerai-svm-moons"); // the first from the fixture
    }
}
