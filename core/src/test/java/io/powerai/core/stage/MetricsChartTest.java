package io.powerai.core.stage;

import io.powerai.core.Golden;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden files: src/test/resources/io/powerai/core/stage/MetricsChartTest/*.expected.svg (-Dpowerai.updateGolden=true). */
class MetricsChartTest {
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

    @Test
    void render_lossAndAccuracyOverEpochs_golden() {
        String svg = MetricsChart.render(h100Epochs());

        Golden.assertMatches(MetricsChartTest.class, "h100-cnn-epochs", "svg", svg);
        assertThat(svg).contains("<polyline").contains(">step</text>").contains("loss = 0.2537").contains("accuracy = 0.9307");
    }

    @Test
    void render_withoutSteps_plotsEachMetricOverItsReports_andASinglePointAsADot() {
        Metrics metrics = new Metrics();
        metrics.accept("{\"metric\": \"train_accuracy\", \"value\": 0.9731}");
        metrics.accept("{\"metric\": \"test_accuracy\", \"value\": 0.968}");
        metrics.accept("{\"metric\": \"train_accuracy\", \"value\": 0.9811}");

        String svg = MetricsChart.render(metrics.points());

        Golden.assertMatches(MetricsChartTest.class, "svm-no-steps", "svg", svg);
        assertThat(svg).contains("report (n-th value of each metric)").contains("<circle");
    }

    @Test
    void render_isWellFormedXmlWithOneLinePerMetric() throws Exception {
        String svg = MetricsChart.render(h100Epochs());

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(doc.getElementsByTagName("polyline").item(0).getAttributes().getNamedItem("points").getNodeValue().split(" ")).hasSize(10);
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

        assertThat(svg).contains(">-0.50</text>").contains(">-0.56</text>").contains(">-0.44</text>").doesNotContain("NaN").doesNotContain("Infinity");
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
        assertThat(line).startsWith("72,44 ").endsWith(" 551.95,343.97"); // the first and the last point (step 9999) are kept
    }
}
