package io.powerai.core.stage.training;

import io.powerai.core.Golden;
import io.powerai.core.render.Svg;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: src/test/resources/io/powerai/core/stage/MetricsChartTest/*.expected.svg (-Dpowerai.updateGolden=true).
 * The two examples' logs beside them are real: image-classifier-train.log from its train.py (8 epochs, seed 0) in the
 * python-torch base image, svm-moons-train.log from `powerai run examples/svm-moons`.
 */
class MetricsChartTest {
    private static List<Metrics.Point> fromLog(String name) throws IOException {
        Metrics metrics = new Metrics();
        Files.readAllLines(Golden.file(MetricsChartTest.class, name, "log").resolveSibling(name + "-train.log")).forEach(metrics::accept);
        return metrics.points();
    }

    /** The CNN epochs of the real H100 run (fixtures/gpu-host-h100/train-log.jsonl), as the metrics convention reports them. */
    private static List<Metrics.Point> h100Epochs() {
        double[] loss = {0.6967, 0.6922, 0.6878, 0.6686, 0.6187, 0.5277, 0.4224, 0.3386, 0.2868, 0.2537};
        double[] accuracy = {0.4996, 0.4996, 0.5004, 0.6012, 0.9377, 0.8032, 0.9139, 0.9272, 0.9315, 0.9307};
        Metrics metrics = new Metrics();
        for (int epoch = 0; epoch < loss.length; epoch++) {
            metrics.accept("{\"metric\": \"loss\", \"value\": " + loss[epoch] + ", \"step\": " + epoch + "}");
            metrics.accept("{\"metric\": \"accuracy\", \"value\": " + accuracy[epoch] + ", \"step\": " + epoch + "}");
        }
        return metrics.points();
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document doc) {
        List<String> out = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagName("text");
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    @Test
    void render_imageClassifier_onePanelPerMetricWithSteps_andTheSingleValuesAsATable() throws Exception {
        String svg = MetricsChart.render(fromLog("image-classifier"));

        Golden.assertMatches(MetricsChartTest.class, "image-classifier", "svg", svg);
        Document doc = parse(svg);
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2); // loss, test_accuracy
        List<String> texts = texts(doc);
        assertThat(texts).contains("loss", "test_accuracy", "last 0.02661 at step 8", "last 0.96 at step 8", "Single values",
                "parameters", "105476", "train_accuracy", "0.9906", "images_per_second", "219.9");
        // epochs are the x-axis: the ticks are steps 1..8, not "the n-th value"; the parameter count is no tick
        assertThat(texts).contains("1", "2", "8").doesNotContain("100000", "120000", "report");
        assertThat(texts.stream().filter("step"::equals)).hasSize(2);
    }

    @Test
    void render_svmMoons_onlySingleValues_isATableWithoutAxes() throws Exception {
        String svg = MetricsChart.render(fromLog("svm-moons"));

        Golden.assertMatches(MetricsChartTest.class, "svm-moons", "svg", svg);
        Document doc = parse(svg);
        assertThat(doc.getElementsByTagName("polyline").getLength()).isZero();
        assertThat(doc.getElementsByTagName("circle").getLength()).isZero();
        assertThat(texts(doc)).containsSubsequence("train_accuracy", "0.99", "test_accuracy", "0.99", "support_vectors", "37");
    }

    @Test
    void render_lossAndAccuracyOverEpochs_golden() {
        String svg = MetricsChart.render(h100Epochs());

        Golden.assertMatches(MetricsChartTest.class, "h100-cnn-epochs", "svg", svg);
        assertThat(svg).contains(">last 0.2537 at step 9</text>").contains(">last 0.9307 at step 9</text>");
    }

    @Test
    void render_everyTextFitsInsideThePicture_evenLongNames() throws Exception {
        List<Metrics.Point> points = new ArrayList<>(fromLog("image-classifier"));
        String longName = "validation/top5_accuracy_on_the_held_out_set_of_the_second_fold_with_test_time_augmentation";
        points.add(new Metrics.Point(longName, 0.5, 1L));
        points.add(new Metrics.Point(longName, 0.7, 2L));
        points.add(new Metrics.Point("WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW_total", 123456789.125, null));
        Document doc = parse(MetricsChart.render(points));

        double width = Double.parseDouble(doc.getDocumentElement().getAttribute("width"));
        NodeList nodes = doc.getElementsByTagName("text");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element text = (Element) nodes.item(i);
            double size = text.hasAttribute("font-size") ? Double.parseDouble(text.getAttribute("font-size"))
                    : ((Element) text.getParentNode()).hasAttribute("font-size")
                    ? Double.parseDouble(((Element) text.getParentNode()).getAttribute("font-size")) : 12;
            double w = Svg.width(text.getTextContent(), size, "bold".equals(text.getAttribute("font-weight")));
            double x = Double.parseDouble(text.getAttribute("x"));
            String anchor = text.getAttribute("text-anchor");
            double left = anchor.equals("end") ? x - w : anchor.equals("middle") ? x - w / 2 : x;
            assertThat(left).as("left end of '%s'", text.getTextContent()).isGreaterThanOrEqualTo(0);
            assertThat(left + w).as("right end of '%s'", text.getTextContent()).isLessThanOrEqualTo(width);
        }
        assertThat(texts(doc)).anyMatch(t -> t.startsWith("validation/top5_accuracy") && t.endsWith("\u2026"))
                .contains("123456789");
    }

    @Test
    void render_usesPresentationAttributesOnly() {
        String svg = MetricsChart.render(fromLogUnchecked("image-classifier"));

        assertThat(svg).doesNotContain("<style").doesNotContain("style=").doesNotContain("<script").doesNotContain("href")
                .doesNotContain("class=");
    }

    private static List<Metrics.Point> fromLogUnchecked(String name) {
        try {
            return fromLog(name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void render_twice_sameBytes() {
        assertThat(MetricsChart.render(h100Epochs())).isEqualTo(MetricsChart.render(h100Epochs()));
    }

    @Test
    void render_nothing_isNoChart() {
        assertThat(MetricsChart.render(List.of())).isNull();
    }

    @Test
    void render_metricNameWithMarkup_isEscaped() {
        String svg = MetricsChart.render(List.of(new Metrics.Point("<script>alert(1)</script> & \"x\"", 1.0, null)));

        assertThat(svg).doesNotContain("<script>").contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;");
    }

    @Test
    void render_constantAndNegativeValues_haveAnAxisAroundThem() {
        String svg = MetricsChart.render(List.of(new Metrics.Point("m", -0.5, 1L), new Metrics.Point("m", -0.5, 2L)));

        assertThat(svg).contains(">-0.50</text>").contains(">-0.55</text>").contains(">-0.45</text>")
                .doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void render_extremeValues_drawNoNaN() {
        String svg = MetricsChart.render(List.of(new Metrics.Point("m", -Double.MAX_VALUE, 1L), new Metrics.Point("m", Double.MAX_VALUE, 2L),
                new Metrics.Point("tiny", 1e-300, 1L), new Metrics.Point("tiny", 1.0000000001e-300, 2L)));

        assertThat(svg).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void render_manyMetrics_drawsAFewPanelsAndCountsTheRest() {
        List<Metrics.Point> points = new ArrayList<>();
        for (int m = 0; m < 500; m++) {
            points.add(new Metrics.Point("m" + m, 1, 1L));
            points.add(new Metrics.Point("m" + m, 2, 2L));
            points.add(new Metrics.Point("s" + m, 3, null));
        }
        String svg = MetricsChart.render(points);

        assertThat(svg.split("<polyline", -1)).hasSize(MetricsChart.MAX_PANELS + 1);
        assertThat(svg).contains(">" + (500 - MetricsChart.MAX_PANELS) + " more metrics with steps are in metrics.json</text>")
                .contains(">" + (500 - MetricsChart.MAX_ROWS) + " more single values are in metrics.json</text>");
    }

    @Test
    void render_manyPoints_thinsTheLine() {
        List<Metrics.Point> points = new ArrayList<>();
        for (long step = 0; step < 10_000; step++) {
            points.add(new Metrics.Point("loss", 1.0 / (step + 1), step));
        }
        String svg = MetricsChart.render(points);

        String line = svg.substring(svg.indexOf("points=\"") + 8, svg.indexOf('"', svg.indexOf("points=\"") + 8));
        assertThat(line.split(" ").length).isLessThanOrEqualTo(MetricsChart.MAX_POINTS_PER_LINE + 1);
        assertThat(svg).doesNotContain("<circle").contains(">last 0.0001 at step 9999</text>");
    }
}
