package io.powerai.core.stage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The training's metrics as an SVG line chart, for people who would rather look than read JSON: one polyline per
 * metric over its steps (or, where a script reports no steps, over the order of its reports), shared axes with
 * labelled ticks, and a legend with each metric's final value. Rendered by hand, byte for byte the same for the
 * same points; no fonts, scripts or external references, so it is safe to show on a Jenkins build page.
 */
public final class MetricsChart {
    private static final int WIDTH = 760;
    private static final int PLOT_LEFT = 72;
    private static final int PLOT_TOP = 44;
    private static final int PLOT_WIDTH = 480;
    private static final int PLOT_HEIGHT = 300;
    private static final int LEGEND_LEFT = PLOT_LEFT + PLOT_WIDTH + 24;
    private static final int LEGEND_ROW = 18;
    /** Above this many points a metric's line is thinned (every n-th point, and the last), to keep the file small. */
    static final int MAX_POINTS_PER_LINE = 2000;
    // Okabe-Ito: told apart by colour-blind readers too.
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"};

    private MetricsChart() {
    }

    /** The SVG of {@code points}, or null when there is no point to draw. */
    public static String render(List<Metrics.Point> points) {
        if (points.isEmpty()) {
            return null;
        }
        boolean bySteps = points.stream().allMatch(p -> p.step() != null);
        Map<String, List<double[]>> lines = new TreeMap<>();
        Map<String, Double> finals = new TreeMap<>();
        for (Metrics.Point p : points) {
            List<double[]> line = lines.computeIfAbsent(p.name(), n -> new ArrayList<>());
            line.add(new double[] {bySteps ? p.step() : line.size() + 1, p.value()});
            finals.put(p.name(), p.value());
        }
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (List<double[]> line : lines.values()) {
            line.sort(Comparator.comparingDouble(v -> v[0])); // stable: equal steps keep the order they were reported in
            for (double[] v : line) {
                xMin = Math.min(xMin, v[0]);
                xMax = Math.max(xMax, v[0]);
                yMin = Math.min(yMin, v[1]);
                yMax = Math.max(yMax, v[1]);
            }
        }
        Axis x = Axis.of(xMin, xMax, true);
        Axis y = Axis.of(yMin, yMax, false);
        int height = Math.max(PLOT_TOP + PLOT_HEIGHT + 56, PLOT_TOP + LEGEND_ROW * lines.size() + 24);

        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<title>gpuTrain metrics</title>\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        svg.append("<text x=\"").append(PLOT_LEFT).append("\" y=\"24\" font-size=\"14\" font-weight=\"bold\">gpuTrain metrics</text>\n");

        // Grid and tick labels.
        svg.append("<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        for (double t : y.ticks()) {
            svg.append("<line x1=\"").append(PLOT_LEFT).append("\" y1=\"").append(fmt(yPx(t, y))).append("\" x2=\"")
                    .append(PLOT_LEFT + PLOT_WIDTH).append("\" y2=\"").append(fmt(yPx(t, y))).append("\"/>\n");
        }
        for (double t : x.ticks()) {
            svg.append("<line x1=\"").append(fmt(xPx(t, x))).append("\" y1=\"").append(PLOT_TOP).append("\" x2=\"")
                    .append(fmt(xPx(t, x))).append("\" y2=\"").append(PLOT_TOP + PLOT_HEIGHT).append("\"/>\n");
        }
        svg.append("</g>\n");
        svg.append("<g fill=\"#333333\">\n");
        for (double t : y.ticks()) {
            svg.append("<text x=\"").append(PLOT_LEFT - 6).append("\" y=\"").append(fmt(yPx(t, y) + 4))
                    .append("\" text-anchor=\"end\">").append(y.label(t)).append("</text>\n");
        }
        for (double t : x.ticks()) {
            svg.append("<text x=\"").append(fmt(xPx(t, x))).append("\" y=\"").append(PLOT_TOP + PLOT_HEIGHT + 18)
                    .append("\" text-anchor=\"middle\">").append(x.label(t)).append("</text>\n");
        }
        svg.append("</g>\n");
        // Axes and their names.
        svg.append("<g stroke=\"#333333\" stroke-width=\"1\">\n");
        svg.append("<line x1=\"").append(PLOT_LEFT).append("\" y1=\"").append(PLOT_TOP + PLOT_HEIGHT).append("\" x2=\"")
                .append(PLOT_LEFT + PLOT_WIDTH).append("\" y2=\"").append(PLOT_TOP + PLOT_HEIGHT).append("\"/>\n");
        svg.append("<line x1=\"").append(PLOT_LEFT).append("\" y1=\"").append(PLOT_TOP).append("\" x2=\"").append(PLOT_LEFT)
                .append("\" y2=\"").append(PLOT_TOP + PLOT_HEIGHT).append("\"/>\n");
        svg.append("</g>\n");
        svg.append("<text x=\"").append(PLOT_LEFT + PLOT_WIDTH / 2).append("\" y=\"").append(PLOT_TOP + PLOT_HEIGHT + 40)
                .append("\" text-anchor=\"middle\">").append(bySteps ? "step" : "report (n-th value of each metric)").append("</text>\n");
        svg.append("<text x=\"16\" y=\"").append(PLOT_TOP + PLOT_HEIGHT / 2).append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ")
                .append(PLOT_TOP + PLOT_HEIGHT / 2).append(")\">value</text>\n");

        // One line per metric, then the legend.
        int i = 0;
        for (Map.Entry<String, List<double[]>> e : lines.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            List<double[]> line = thin(e.getValue());
            svg.append("<g fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\">");
            svg.append("<title>").append(escape(e.getKey())).append("</title>");
            if (line.size() == 1) {
                svg.append("<circle cx=\"").append(fmt(xPx(line.get(0)[0], x))).append("\" cy=\"").append(fmt(yPx(line.get(0)[1], y)))
                        .append("\" r=\"3\" fill=\"").append(colour).append("\"/>");
            } else {
                svg.append("<polyline points=\"");
                for (int k = 0; k < line.size(); k++) {
                    svg.append(k == 0 ? "" : " ").append(fmt(xPx(line.get(k)[0], x))).append(',').append(fmt(yPx(line.get(k)[1], y)));
                }
                svg.append("\"/>");
            }
            svg.append("</g>\n");
            int rowY = PLOT_TOP + 8 + i * LEGEND_ROW;
            svg.append("<rect x=\"").append(LEGEND_LEFT).append("\" y=\"").append(rowY - 9).append("\" width=\"14\" height=\"4\" fill=\"")
                    .append(colour).append("\"/>");
            svg.append("<text x=\"").append(LEGEND_LEFT + 20).append("\" y=\"").append(rowY - 3).append("\">").append(escape(e.getKey()))
                    .append(" = ").append(value(finals.get(e.getKey()))).append("</text>\n");
            i++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static List<double[]> thin(List<double[]> line) {
        if (line.size() <= MAX_POINTS_PER_LINE) {
            return line;
        }
        int every = (int) Math.ceil(line.size() / (double) MAX_POINTS_PER_LINE);
        List<double[]> out = new ArrayList<>();
        for (int k = 0; k < line.size(); k += every) {
            out.add(line.get(k));
        }
        if (out.get(out.size() - 1) != line.get(line.size() - 1)) {
            out.add(line.get(line.size() - 1));
        }
        return out;
    }

    private static double xPx(double v, Axis a) {
        return PLOT_LEFT + (v - a.min) / (a.max - a.min) * PLOT_WIDTH;
    }

    private static double yPx(double v, Axis a) {
        return PLOT_TOP + PLOT_HEIGHT - (v - a.min) / (a.max - a.min) * PLOT_HEIGHT;
    }

    /** Pixel coordinates with two decimals, the same text on every machine. */
    static String fmt(double v) {
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String value(Double v) {
        BigDecimal d = BigDecimal.valueOf(v).round(new java.math.MathContext(6, RoundingMode.HALF_UP)).stripTrailingZeros();
        return (d.scale() < 0 ? d.setScale(0) : d).toPlainString();
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 ? ' ' : c);
            }
        }
        return out.toString();
    }

    /** An axis from a "nice" minimum to a "nice" maximum in steps of 1, 2 or 5 times a power of ten. */
    private record Axis(double min, double max, double step, int decimals) {
        static Axis of(double lo, double hi, boolean whole) {
            if (lo == hi) {
                double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
            }
            double step = niceStep((hi - lo) / 5);
            if (whole) {
                step = Math.max(1, Math.round(step));
            }
            double min = Math.floor(lo / step) * step;
            double max = Math.ceil(hi / step) * step;
            if (max == min) {
                max = min + step;
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)));
            return new Axis(min, max, step, decimals);
        }

        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            long n = Math.round((max - min) / step);
            for (long k = 0; k <= n; k++) {
                out.add(min + k * step);
            }
            return out;
        }

        String label(double v) {
            BigDecimal d = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP);
            String text = d.toPlainString();
            return text.equals("-0") || text.matches("-0\\.0+") ? text.substring(1) : text;
        }

        private static double niceStep(double raw) {
            double exp = Math.floor(Math.log10(raw));
            double base = Math.pow(10, exp);
            double f = raw / base;
            double nice = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10; // 0.1 / 5 is 0.020000000000000004
            return nice * base;
        }
    }
}
