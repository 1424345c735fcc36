package io.powerai.core.lineage;

import io.powerai.core.lineage.LineageChain.Kind;
import io.powerai.core.lineage.LineageChain.Link;
import io.powerai.core.lineage.LineageChain.LinkStatus;
import io.powerai.core.lineage.LineageChain.Node;
import io.powerai.core.render.Svg;

import java.util.EnumMap;
import java.util.Map;

/**
 * The lineage as an SVG graph, left to right: environment, code and data feed the training run, which wrote the
 * model, which the scoring image carries, which the deployment runs. Each node shows its short digest, a detail,
 * its time and status, and links to the archived file that records it ({@code hrefPrefix} + a path relative to
 * the {@code .powerai} folder); each arrow is green when the digests match, red and dashed when they do not.
 * Pure and deterministic; presentation attributes only.
 */
public final class LineageGraph {
    private static final int MARGIN = 16;
    private static final int TOP = 44;
    private static final int NODE_WIDTH = 188;
    private static final int NODE_HEIGHT = 88;
    private static final int COLUMN_GAP = 40;
    private static final int ROW_GAP = 12;
    private static final int TEXT_WIDTH = NODE_WIDTH - 20;
    private static final String TITLE = "Lineage: environment, code and data to deployment";

    private LineageGraph() {
    }

    public static String render(LineageChain chain, String hrefPrefix) {
        Map<Kind, int[]> at = layout();
        int width = MARGIN * 2 + 5 * NODE_WIDTH + 4 * COLUMN_GAP;
        int columnHeight = 3 * NODE_HEIGHT + 2 * ROW_GAP;
        int height = TOP + columnHeight + 44;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"").append(Svg.FONT).append("\" font-size=\"11\">\n");
        svg.append("<title>").append(TITLE).append("</title>\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        svg.append("<text x=\"").append(MARGIN).append("\" y=\"26\" font-size=\"15\" font-weight=\"bold\" fill=\"#222222\">")
                .append(TITLE).append("</text>\n");
        for (Link link : chain.links()) {
            edge(svg, link, at.get(link.from()), at.get(link.to()));
        }
        for (Node node : chain.nodes()) {
            node(svg, node, at.get(node.kind()), hrefPrefix);
        }
        boolean ok = chain.verification().ok();
        String audit = ok ? "audit log verified: " + chain.verification().records() + " record(s), hash chain intact"
                : "audit log NOT verified: " + chain.verification().problem();
        svg.append("<text x=\"").append(MARGIN).append("\" y=\"").append(height - 16).append("\" font-size=\"12\" fill=\"")
                .append(ok ? "#1b5e20" : "#b71c1c").append("\">").append(Svg.escape(Svg.fit(audit, width - 2 * MARGIN, 12, false)))
                .append("<title>").append(Svg.escape(audit)).append("</title></text>\n");
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The top left corner of each node: the three inputs stacked in the first column, the rest centred in theirs. */
    private static Map<Kind, int[]> layout() {
        Map<Kind, int[]> at = new EnumMap<>(Kind.class);
        int middle = TOP + NODE_HEIGHT + ROW_GAP;
        at.put(Kind.ENVIRONMENT, new int[] {MARGIN, TOP});
        at.put(Kind.CODE, new int[] {MARGIN, middle});
        at.put(Kind.DATA, new int[] {MARGIN, middle + NODE_HEIGHT + ROW_GAP});
        Kind[] rest = {Kind.TRAINING, Kind.MODEL, Kind.IMAGE, Kind.DEPLOYMENT};
        for (int i = 0; i < rest.length; i++) {
            at.put(rest[i], new int[] {MARGIN + (i + 1) * (NODE_WIDTH + COLUMN_GAP), middle});
        }
        return at;
    }

    private static void node(StringBuilder svg, Node node, int[] at, String hrefPrefix) {
        String[] colours = colours(node.status());
        String href = node.href() == null ? null : Href.of(hrefPrefix, node.href());
        String tooltip = node.kind().label() + ": " + (node.present() ? node.status() : "not run")
                + (node.digest() == null ? "" : "\n" + node.digest()) + (node.detail() == null ? "" : "\n" + node.detail())
                + (node.time() == null ? "" : "\n" + node.time());
        if (href != null) {
            String escaped = Svg.escape(href);
            svg.append("<a href=\"").append(escaped).append("\" xlink:href=\"").append(escaped).append("\">\n");
        }
        svg.append("<g>\n<title>").append(Svg.escape(tooltip)).append("</title>\n");
        svg.append("<rect x=\"").append(at[0]).append("\" y=\"").append(at[1]).append("\" width=\"").append(NODE_WIDTH)
                .append("\" height=\"").append(NODE_HEIGHT).append("\" rx=\"6\" fill=\"").append(colours[0]).append("\" stroke=\"")
                .append(colours[1]).append("\" stroke-width=\"1.5\"").append(node.present() ? "" : " stroke-dasharray=\"4 3\"").append("/>\n");
        line(svg, at, 18, 12, true, "#222222", node.kind().label());
        line(svg, at, 34, 11, false, "#222222", node.digest() == null ? "" : Short.digest(node.digest()));
        line(svg, at, 49, 11, false, "#444444", node.detail() == null ? "" : node.detail());
        line(svg, at, 64, 11, false, "#444444", node.time() == null ? "" : shortTime(node.time()));
        line(svg, at, 79, 11, true, colours[1], node.present() ? node.status() : "not run");
        svg.append("</g>\n");
        if (href != null) {
            svg.append("</a>\n");
        }
    }

    private static void line(StringBuilder svg, int[] at, int dy, int size, boolean bold, String colour, String text) {
        if (text.isEmpty()) {
            return;
        }
        svg.append("<text x=\"").append(at[0] + 10).append("\" y=\"").append(at[1] + dy).append("\"")
                .append(size == 11 ? "" : " font-size=\"" + size + "\"").append(bold ? " font-weight=\"bold\"" : "")
                .append(" fill=\"").append(colour).append("\">").append(Svg.escape(Svg.fit(text, TEXT_WIDTH, size, bold))).append("</text>\n");
    }

    private static void edge(StringBuilder svg, Link link, int[] from, int[] to) {
        double x1 = from[0] + NODE_WIDTH;
        double y1 = from[1] + NODE_HEIGHT / 2.0;
        double x2 = to[0] - 2;
        // The three inputs of the training arrive side by side, not on one point.
        double y2 = to[1] + NODE_HEIGHT / 2.0 + (link.to() == Kind.TRAINING ? (link.from().ordinal() - Kind.CODE.ordinal()) * 22 : 0);
        String colour = switch (link.status()) {
            case LINKED -> "#2e7d32";
            case MISMATCH -> "#c62828";
            case NOT_RUN -> "#9e9e9e";
        };
        svg.append("<g>\n<title>").append(Svg.escape(link.from().label() + " to " + link.to().label() + ": "
                + link.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (" + link.why() + ")")).append("</title>\n");
        // The arrowhead, along the line's direction; the line stops at its base.
        double length = Math.hypot(x2 - x1, y2 - y1);
        double ux = (x2 - x1) / length;
        double uy = (y2 - y1) / length;
        double bx = x2 - 9 * ux;
        double by = y2 - 9 * uy;
        svg.append("<line x1=\"").append(Svg.px(x1)).append("\" y1=\"").append(Svg.px(y1)).append("\" x2=\"").append(Svg.px(bx))
                .append("\" y2=\"").append(Svg.px(by)).append("\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\"").append(link.status() == LinkStatus.LINKED ? "" : " stroke-dasharray=\"5 4\"").append("/>\n");
        svg.append("<polygon points=\"").append(Svg.px(x2)).append(',').append(Svg.px(y2)).append(' ')
                .append(Svg.px(bx - 4.5 * uy)).append(',').append(Svg.px(by + 4.5 * ux)).append(' ')
                .append(Svg.px(bx + 4.5 * uy)).append(',').append(Svg.px(by - 4.5 * ux)).append("\" fill=\"").append(colour).append("\"/>\n");
        if (link.status() == LinkStatus.MISMATCH) {
            svg.append("<text x=\"").append(Svg.px((x1 + x2) / 2)).append("\" y=\"").append(Svg.px((y1 + y2) / 2 - 6))
                    .append("\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"bold\" fill=\"#c62828\">differs</text>\n");
        }
        svg.append("</g>\n");
    }

    /** Background and outline (also the status text's colour) by status. */
    private static String[] colours(String status) {
        if (status == null) {
            return new String[] {"#f7f7f7", "#8a8a8a"};
        }
        return switch (status) {
            case "succeeded", "hashed" -> new String[] {"#edf7ed", "#2e7d32"};
            case "failed", "rolled-back" -> new String[] {"#fdecea", "#c62828"};
            default -> new String[] {"#fff8e1", "#a86b00"};
        };
    }

    /** An audit time, {@code 2026-12-06T22:42:27.167826735Z}, to the second: {@code 2026-12-06 22:42:27Z}. */
    public static String shortTime(String iso) {
        if (iso.length() >= 19 && iso.charAt(10) == 'T') {
            return iso.substring(0, 10) + " " + iso.substring(11, 19) + (iso.endsWith("Z") ? "Z" : "");
        }
        return iso;
    }
}
