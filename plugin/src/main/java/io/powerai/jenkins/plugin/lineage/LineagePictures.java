package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.lineage.Href;
import io.powerai.core.lineage.LineageChain;
import io.powerai.core.lineage.LineageGraph;
import io.powerai.core.stage.training.Metrics;
import io.powerai.core.stage.training.MetricsChart;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The pictures of the "ML lineage" page, drawn by the core from the build's copy of the result files: the lineage
 * graph and the metrics panels, as {@code data:} URIs for an {@code <img>} (the page then needs no raw output,
 * so escape-by-default stays whole), and the archived files each node stands for.
 */
public final class LineagePictures {
    /** A node's archived file: {@code path} is percent-encoded, relative to the archived {@code .powerai} folder. */
    public record FileLink(String label, String path) {
        public String getLabel() {
            return label;
        }

        public String getPath() {
            return path;
        }
    }

    private final String lineage;
    private final String metrics;
    private final List<FileLink> files;

    private LineagePictures(String lineage, String metrics, List<FileLink> files) {
        this.lineage = lineage;
        this.metrics = metrics;
        this.files = List.copyOf(files);
    }

    /** Reads {@code copyDir}, the build's folder holding the audit log and result files a step copied. */
    public static LineagePictures read(Path copyDir) {
        LineageChain chain = LineageChain.read(copyDir);
        List<FileLink> files = new ArrayList<>();
        for (LineageChain.Node node : chain.nodes()) {
            String path = node.href() == null ? null : Href.of("", node.href());
            if (path != null && files.stream().noneMatch(f -> f.path().equals(path))) {
                files.add(new FileLink(node.kind().label(), path));
            }
        }
        List<Metrics.Point> points = Metrics.readPoints(copyDir.resolve("train/metrics.json"));
        String chart = MetricsChart.render(points);
        return new LineagePictures(dataUri(LineageGraph.render(chain, "")), chart == null ? null : dataUri(chart), files);
    }

    /** An SVG as a data: URI for an img (the views then need no raw output). */
    static String dataUri(String svg) {
        return "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
    }

    public String getLineage() {
        return lineage;
    }

    /** Null when the training reported no metric (or has not run). */
    public String getMetrics() {
        return metrics;
    }

    public List<FileLink> getFiles() {
        return files;
    }
}
