package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.history.RunHistory;
import io.powerai.core.stage.training.MetricsChart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The job's "Model history" page, computed by the core's {@link RunHistory} from each build's copy of its results
 * (what poweraiRecordLineage keeps in the build's folder): each metric's trend over the builds, and one row per
 * build with its model, metrics and deployment, the build whose deployment serves marked.
 */
public final class ModelHistoryPage {
    /** One build's row. */
    public record Row(String build, String model, String metrics, String deployment, boolean serving) {
        public String getBuild() {
            return build;
        }

        public String getModel() {
            return model;
        }

        public String getMetrics() {
            return metrics;
        }

        public String getDeployment() {
            return deployment;
        }

        public boolean isServing() {
            return serving;
        }
    }

    private final String trend;
    private final List<Row> rows;

    private ModelHistoryPage(String trend, List<Row> rows) {
        this.trend = trend;
        this.rows = List.copyOf(rows);
    }

    /** {@code builds}: build label ("#12") to the build's folder, oldest first; builds without a copy are left out. */
    public static ModelHistoryPage of(Map<String, Path> builds) {
        Map<String, Path> copies = new java.util.LinkedHashMap<>();
        builds.forEach((label, buildDir) -> {
            Path copy = LineageFiles.auditLog(buildDir).getParent();
            if (Files.isDirectory(copy)) {
                copies.put(label, copy);
            }
        });
        RunHistory history = RunHistory.readLabelled(copies);
        String serving = history.servingRun();
        List<Row> rows = new ArrayList<>();
        for (RunHistory.Run run : history.runs()) {
            rows.add(0, new Row(run.label(), run.modelSha256() == null ? "" : run.modelSha256().substring(0, Math.min(12, run.modelSha256().length())),
                    run.metrics().toString(), run.deployStatus() == null ? "not deployed" : run.deployStatus(), run.label().equals(serving)));
        }
        String chart = MetricsChart.render(history.trend(), "metrics over builds", "build");
        return new ModelHistoryPage(chart == null ? null : LineagePictures.dataUri(chart), rows);
    }

    /** The trend as a data URI for an img; null when no build reported a metric. */
    public String getTrend() {
        return trend;
    }

    /** Newest build first. */
    public List<Row> getRows() {
        return rows;
    }
}
