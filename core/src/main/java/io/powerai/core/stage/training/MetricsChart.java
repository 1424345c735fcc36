package io.powerai.core.stage.training;

import io.powerai.core.render.NiceScale;
import io.powerai.core.render.Svg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training's metrics as an SVG for people who would rather look than read JSON. A metric reported over steps
 * (epochs) gets a small panel of its own, x = step, y on its own scale, so a loss of 0.3 and a parameter count of
 * 10^5 never share an axis; a metric reported once is a row of the table of single values. Metrics keep the
 * order in which the script first reported them. Labels are measured conservatively ({@link Svg#width}) and the
 * picture grows to hold them, so nothing is cut. Byte for byte the same for the same points; presentation
 * attributes only, so it is safe to show on a Jenkins build page and in an archived report.
 */
public final class MetricsChart {
    /** Above this many points a metric's line is thinned (every n-th point, and the last), to keep the file small. */
    static final int MAX_POINTS_PER_LINE = 2000;
    /** Panels and table rows beyond these are counted, not drawn: a script printing thousands of metrics must not make a huge page. */
    static final int MAX_PANELS = 24;
    static final int MAX_ROWS = 60;
    private static final int MARGIN = 16;
    private static final int TOP = 44;
    private static final int PANEL_WIDTH = 360;
    private static final int PANEL_HEIGHT = 224;
    private static final int GAP = 16;
    private static final int ROW = 22;
    private static final int DOTS_UP_TO = 40;
    private static final int FONT = 12;
    private static final String TITLE = "gpuTrain metrics";
    // Okabe-Ito: told apart by colour-blind readers too.
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};

    /** A metric with steps: its points in step order, and the axis they are drawn over. */
    private record Series(String name, List<double[]> points, boolean bySteps) {
    }

    private MetricsChart() {
    }

    /** The SVG of {@code points}, or null when there is no point to draw. */
    public static String render(List<Metrics.Point> points) {
        return render(points, TITLE, "step");
    }

    /** As {@link #render(List)}, with another title and name of the x-axis (e.g. the runs of a history). */
    public static String render(List<Metrics.Point> points, String title, String stepName) {
        if (points.isEmpty()) {
            return null;
        }
        Map<String, List<Metrics.Point>> byName = new LinkedHashMap<>();
        for (Metrics.Point p : points) {
            byName.computeIfAbsent(p.name(), n -> new ArrayList<>()).add(p);
        }
        List<Series> series = new ArrayList<>();
        Map<String, Double> singles = new LinkedHashMap<>();
        byName.forEach((name, reported) -> {
            Series s = series(name, reported);
            if (s.points().size() >= 2) {
                series.add(s);
            } else {
                singles.put(name, reported.get(reported.size() - 1).value());
            }
        });

        int columns = series.size() >= 2 ? 2 : 1;
        int drawn = Math.min(series.size(), MAX_PANELS);
        int panelRows = (drawn + columns - 1) / columns;
        int panelsBottom = TOP + panelRows * (PANEL_HEIGHT + GAP) + (series.size() > drawn ? ROW : 0);
        Table table = Table.of(singles);
        int width = (int) Math.ceil(Math.max(Math.max(series.isEmpty() ? 0 : columns * PANEL_WIDTH + (columns - 1) * GAP,
                table.width()), Svg.width(title, 15, true))) + 2 * MARGIN;
        int tableTop = series.isEmpty() ? TOP : panelsBottom;
        int height = singles.isEmpty() ? panelsBottom : tableTop + table.height();

        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" font-family=\"").append(Svg.FONT)
                .append("\" font-size=\"").append(FONT).append("\">\n");
        svg.append("<title>").append(Svg.escape(title)).append("</title>\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        svg.append("<text x=\"").append(MARGIN).append("\" y=\"26\" font-size=\"15\" font-weight=\"bold\" fill=\"#222222\">")
                .append(Svg.escape(title)).append("</text>\n");
        for (int i = 0; i < drawn; i++) {
            panel(svg, series.get(i), stepName, MARGIN + (i % columns) * (PANEL_WIDTH + GAP), TOP + (i / columns) * (PANEL_HEIGHT + GAP),
                    COLOURS[i % COLOURS.length]);
        }
        if (series.size() > drawn) {
            svg.append("<text x=\"").append(MARGIN).append("\" y=\"").append(panelsBottom - 6).append("\" fill=\"#555555\">")
                    .append(series.size() - drawn).append(" more metrics with steps are in metrics.json</text>\n");
        }
        if (!singles.isEmpty()) {
            table.render(svg, MARGIN, tableTop);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The points to draw: by step where the script gave steps (points without one are left out), else by report order. */
    private static Series series(String name, List<Metrics.Point> reported) {
        boolean bySteps = reported.stream().anyMatch(p -> p.step() != null);
        List<double[]> line = new ArrayList<>();
        for (Metrics.Point p : reported) {
            if (!bySteps) {
                line.add(new double[] {line.size() + 1, p.value()});
            } else if (p.step() != null) {
                line.add(new double[] {p.step(), p.value()});
            }
        }
        line.sort(Comparator.comparingDouble(v -> v[0])); // stable: equal steps keep the order they were reported in
        return new Series(name, thin(line), bySteps);
    }

    private static void panel(StringBuilder svg, Series s, String stepName, int x, int y, String colour) {
        double xMin = s.points().get(0)[0];
        double xMax = s.points().get(s.points().size() - 1)[0];
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (double[] p : s.points()) {
            yMin = Math.min(yMin, p[1]);
            yMax = Math.max(yMax, p[1]);
        }
        NiceScale xs = NiceScale.steps(xMin, xMax);
        NiceScale ys = NiceScale.values(yMin, yMax);
        double labelWidth = 0;
        for (double t : ys.ticks()) {
            labelWidth = Math.max(labelWidth, Svg.width(ys.label(t), 11, false));
        }
        double left = x + 10 + labelWidth + 6;
        double right = x + PANEL_WIDTH - 16;
        double top = y + 54;
        double bottom = y + PANEL_HEIGHT - 42;
        double[] last = s.points().get(s.points().size() - 1);
        String lastText = "last " + Svg.value(last[1]) + (s.bySteps() ? " at " + stepName + " " + xs.label(last[0]) : "");
        double lastWidth = Svg.width(lastText, 11, false);

        svg.append("<g>\n<title>").append(Svg.escape(s.name())).append("</title>\n");
        svg.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(PANEL_WIDTH).append("\" height=\"")
                .append(PANEL_HEIGHT).append("\" fill=\"#ffffff\" stroke=\"#cccccc\"/>\n");
        svg.append("<text x=\"").append(x + 10).append("\" y=\"").append(y + 20).append("\" font-size=\"13\" font-weight=\"bold\" fill=\"#222222\">")
                .append(Svg.escape(Svg.fit(s.name(), PANEL_WIDTH - 20, 13, true))).append("</text>\n");
        svg.append("<text x=\"").append(x + 10).append("\" y=\"").append(y + 34).append("\" font-size=\"11\" fill=\"#555555\">")
                .append(Svg.escape(Svg.fit(lastText, Math.max(lastWidth, PANEL_WIDTH - 20), 11, false))).append("</text>\n");
        svg.append("<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
        for (double t : ys.ticks()) {
            String py = Svg.px(bottom - ys.fraction(t) * (bottom - top));
            svg.append("<line x1=\"").append(Svg.px(left)).append("\" y1=\"").append(py).append("\" x2=\"").append(Svg.px(right))
                    .append("\" y2=\"").append(py).append("\"/>\n");
        }
        svg.append("</g>\n<g font-size=\"11\" fill=\"#444444\">\n");
        for (double t : ys.ticks()) {
            svg.append("<text x=\"").append(Svg.px(left - 6)).append("\" y=\"").append(Svg.px(bottom - ys.fraction(t) * (bottom - top) + 4))
                    .append("\" text-anchor=\"end\">").append(ys.label(t)).append("</text>\n");
        }
        for (double t : xs.ticks()) {
            svg.append("<text x=\"").append(Svg.px(left + xs.fraction(t) * (right - left))).append("\" y=\"").append(Svg.px(bottom + 15))
                    .append("\" text-anchor=\"middle\">").append(xs.label(t)).append("</text>\n");
        }
        svg.append("<text x=\"").append(Svg.px((left + right) / 2)).append("\" y=\"").append(Svg.px(bottom + 31))
                .append("\" text-anchor=\"middle\" fill=\"#555555\">").append(s.bySteps() ? stepName : "report").append("</text>\n");
        svg.append("</g>\n");
        svg.append("<line x1=\"").append(Svg.px(left)).append("\" y1=\"").append(Svg.px(bottom)).append("\" x2=\"").append(Svg.px(right))
                .append("\" y2=\"").append(Svg.px(bottom)).append("\" stroke=\"#555555\" stroke-width=\"1\"/>\n");
        svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"");
        for (int k = 0; k < s.points().size(); k++) {
            double[] p = s.points().get(k);
            svg.append(k == 0 ? "" : " ").append(Svg.px(left + xs.fraction(p[0]) * (right - left))).append(',')
                    .append(Svg.px(bottom - ys.fraction(p[1]) * (bottom - top)));
        }
        svg.append("\"/>\n");
        if (s.points().size() <= DOTS_UP_TO) {
            svg.append("<g fill=\"").append(colour).append("\">");
            for (double[] p : s.points()) {
                svg.append("<circle cx=\"").append(Svg.px(left + xs.fraction(p[0]) * (right - left))).append("\" cy=\"")
                        .append(Svg.px(bottom - ys.fraction(p[1]) * (bottom - top))).append("\" r=\"2.5\"/>");
            }
            svg.append("</g>\n");
        }
        svg.append("</g>\n");
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

    /** The single values: a name column as wide as the widest name (up to a limit), the values right-aligned. */
    private record Table(List<String[]> rows, int hidden, double nameWidth, double valueWidth) {
        private static final double MAX_NAME_WIDTH = 560;

        static Table of(Map<String, Double> singles) {
            List<String[]> rows = new ArrayList<>();
            double nameWidth = Svg.width("Single values", 13, true);
            double valueWidth = 0;
            for (Map.Entry<String, Double> e : singles.entrySet()) {
                if (rows.size() == MAX_ROWS) {
                    break;
                }
                String name = Svg.fit(e.getKey(), MAX_NAME_WIDTH, FONT, false);
                String value = Svg.value(e.getValue());
                rows.add(new String[] {name, value});
                nameWidth = Math.max(nameWidth, Svg.width(name, FONT, false));
                valueWidth = Math.max(valueWidth, Svg.width(value, FONT, false));
            }
            return new Table(rows, singles.size() - rows.size(), Math.ceil(nameWidth), Math.ceil(valueWidth));
        }

        double width() {
            return rows.isEmpty() ? 0 : 8 + nameWidth + 32 + valueWidth + 8;
        }

        int height() {
            return 30 + rows.size() * ROW + (hidden > 0 ? ROW : 0) + 12;
        }

        void render(StringBuilder svg, int x, int y) {
            int w = (int) Math.ceil(width());
            svg.append("<text x=\"").append(x).append("\" y=\"").append(y + 18).append("\" font-size=\"13\" font-weight=\"bold\" fill=\"#222222\">")
                    .append("Single values</text>\n");
            for (int i = 0; i < rows.size(); i++) {
                int rowTop = y + 28 + i * ROW;
                svg.append("<rect x=\"").append(x).append("\" y=\"").append(rowTop).append("\" width=\"").append(w).append("\" height=\"").append(ROW)
                        .append("\" fill=\"").append(i % 2 == 0 ? "#f2f2f2" : "#ffffff").append("\"/>");
                svg.append("<text x=\"").append(x + 8).append("\" y=\"").append(rowTop + 15).append("\" fill=\"#222222\">")
                        .append(Svg.escape(rows.get(i)[0])).append("</text>");
                svg.append("<text x=\"").append(x + w - 8).append("\" y=\"").append(rowTop + 15).append("\" text-anchor=\"end\" fill=\"#222222\">")
                        .append(rows.get(i)[1]).append("</text>\n");
            }
            if (hidden > 0) {
                svg.append("<text x=\"").append(x + 8).append("\" y=\"").append(y + 28 + rows.size() * ROW + 15).append("\" fill=\"#555555\">")
                        .append(hidden).append(" more single values are in metrics.json</text>\n");
            }
        }
    }
}
