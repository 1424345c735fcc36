package io.powerai.core.report;

import io.powerai.core.json.Json;
import io.powerai.core.lineage.Href;
import io.powerai.core.lineage.LineageChain;
import io.powerai.core.lineage.LineageGraph;
import io.powerai.core.render.Svg;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.training.Metrics;
import io.powerai.core.stage.training.MetricsChart;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One page a person opens, about one {@code .powerai} folder: the audit verification, the lineage graph, the
 * metrics panels, each stage's result, and links to the files. It is written for the strictest place it is read
 * in, an archived Jenkins artifact, whose Content-Security-Policy is {@code sandbox; default-src 'none';
 * img-src 'self'; style-src 'self';}: no script, no inline style (the pictures are inline SVG with presentation
 * attributes; the look is a stylesheet file beside the page), nothing from elsewhere. Links are relative, so the
 * page reads the same offline. Deterministic: the same folder gives the same bytes.
 */
public final class ReportPage {
    public static final String PAGE = "report.html";
    public static final String STYLESHEET = "report.css";

    /** Per stage, the facts of its result worth a line (other keys are in the linked file). */
    private static final Map<Stage, List<String>> FACTS = Map.of(
            Stage.SNAPSHOT, List.of("image", "snapshotId", "packages", "baseImage"),
            Stage.TRAIN, List.of("image", "backend", "gpus", "exitCode", "failure", "codeDigest", "dataDigest"),
            Stage.SCORING_IMAGE, List.of("image", "model", "modelSha256", "failure"),
            Stage.DEPLOY, List.of("target", "image", "scoringUrl", "endpoint", "namespace", "failure"));
    /** Files worth a link when present, relative to the folder. */
    private static final List<String> FILES = List.of("audit.jsonl", "amlEnvSnapshot.json", "environment/manifest.json",
            "environment/context/Dockerfile", "gpuTrain.json", "train/train.log", "train/metrics.json", "train/metrics.svg",
            "train/gpu-samples.csv", "scoringImage.json", "score/context/Dockerfile", "score/smoke-test.log", "aksDeploy.json");

    private ReportPage() {
    }

    /** Writes {@code report.html} and {@code report.css} into {@code poweraiDir}; returns the page. */
    public static Path write(Path poweraiDir) {
        Json.writeAtomically(poweraiDir.resolve(STYLESHEET), stylesheet());
        Path page = poweraiDir.resolve(PAGE);
        Json.writeAtomically(page, render(poweraiDir));
        return page;
    }

    public static String render(Path dir) {
        LineageChain chain = LineageChain.read(dir);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>powerai report</title>\n<link rel=\"stylesheet\" href=\"").append(STYLESHEET).append("\">\n</head>\n<body>\n");
        html.append("<h1>powerai report</h1>\n");
        boolean ok = chain.verification().ok();
        html.append("<p class=\"").append(ok ? "ok" : "bad").append("\">")
                .append(escape(ok ? "Audit log verified: " + chain.verification().records() + " record(s), hash chain intact."
                        : "Audit log NOT verified: " + chain.verification().problem()))
                .append("</p>\n");

        html.append("<h2>Lineage</h2>\n<div class=\"picture\">\n").append(LineageGraph.render(chain, "")).append("</div>\n");

        html.append("<h2>Metrics</h2>\n");
        String metrics = MetricsChart.render(Metrics.readPoints(dir.resolve("train/metrics.json")));
        if (metrics == null) {
            html.append("<p>No metric was reported (or the training has not run).</p>\n");
        } else {
            html.append("<div class=\"picture\">\n").append(metrics.substring(metrics.indexOf("<svg"))).append("</div>\n");
        }

        html.append("<h2>Stages</h2>\n<table>\n<thead><tr><th>stage</th><th>status</th><th>time</th><th>result</th><th>facts</th></tr></thead>\n<tbody>\n");
        for (Stage stage : Stage.values()) {
            stageRow(html, dir, stage, chain);
        }
        html.append("</tbody>\n</table>\n");

        html.append("<h2>Files</h2>\n<ul>\n");
        for (String file : FILES) {
            if (Files.isRegularFile(dir.resolve(file))) {
                html.append("<li><a href=\"").append(escape(Href.of("", file))).append("\">").append(escape(file)).append("</a></li>\n");
            }
        }
        html.append("</ul>\n</body>\n</html>\n");
        return html.toString();
    }

    private static void stageRow(StringBuilder html, Path dir, Stage stage, LineageChain chain) {
        Path file = dir.resolve(stage.stepName() + ".json");
        Map<String, Object> result = null;
        if (Files.isRegularFile(file)) {
            try {
                result = Json.readObject(file);
            } catch (IOException | RuntimeException e) {
                result = null;
            }
        }
        html.append("<tr><td><code>").append(stage.stepName()).append("</code></td>");
        if (result == null) {
            html.append("<td class=\"none\">not run</td><td></td><td></td><td></td></tr>\n");
            return;
        }
        String status = String.valueOf(result.get("status"));
        html.append("<td class=\"").append("succeeded".equals(status) ? "ok" : "bad").append("\">").append(escape(status)).append("</td>");
        html.append("<td>").append(escape(timeOf(stage, chain))).append("</td>");
        html.append("<td><a href=\"").append(stage.stepName()).append(".json\">").append(stage.stepName()).append(".json</a></td><td>");
        for (String key : FACTS.get(stage)) {
            Object value = result.get(key);
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                html.append("<div><span class=\"key\">").append(key).append("</span> <code>").append(escape(String.valueOf(value)))
                        .append("</code></div>");
            }
        }
        html.append("</td></tr>\n");
    }

    /** The time of the stage's node in the chain (the audit record its result names). */
    private static String timeOf(Stage stage, LineageChain chain) {
        LineageChain.Kind kind = switch (stage) {
            case SNAPSHOT -> LineageChain.Kind.ENVIRONMENT;
            case TRAIN -> LineageChain.Kind.TRAINING;
            case SCORING_IMAGE -> LineageChain.Kind.IMAGE;
            case DEPLOY -> LineageChain.Kind.DEPLOYMENT;
        };
        String time = chain.node(kind).time();
        return time == null ? "" : LineageGraph.shortTime(time);
    }

    private static String escape(String text) {
        return Svg.escape(text);
    }

    static String stylesheet() {
        try (InputStream in = ReportPage.class.getResourceAsStream(STYLESHEET)) {
            if (in == null) {
                throw new IllegalStateException("the report stylesheet is missing from the powerai jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
