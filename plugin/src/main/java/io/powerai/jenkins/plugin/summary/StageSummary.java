package io.powerai.jenkins.plugin.summary;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One stage's entry on the build page: its one-line summary and links to what it archived (result file, log,
 * metrics chart). Everything the view shows is computed here; the view only prints it, escaped. Kept in build.xml,
 * so only Strings are stored and the links are derived again each time.
 */
public final class StageSummary implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern STAGE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Pattern WINDOWS_ABSOLUTE = Pattern.compile("^[A-Za-z]:.*");
    /** The build's own log: the link for stages that leave no log file of their own. */
    public static final String CONSOLE = "console";

    private final String stage;
    private final String text;
    private final String result;
    private final String log;
    private final String chart;

    private StageSummary(String stage, String text, String result, String log, String chart) {
        this.stage = stage;
        this.text = text;
        this.result = result;
        this.log = log;
        this.chart = chart;
    }

    /**
     * Checks every field and reports every problem at once (one line, naming the step, the field, the value, the
     * rule); {@code log} and {@code chart} may be null, {@code result} too (a stage that wrote none).
     */
    public static StageSummary of(String step, String stage, String text, String result, String log, String chart) {
        List<String> problems = new ArrayList<>();
        if (stage == null || !STAGE.matcher(stage).matches()) {
            problems.add("'stage' must be a step name (a letter, then letters, digits, '-' or '_', at most 64); got '" + stage + "'");
        }
        String relativeResult = artifactPath(problems, "result", result);
        String relativeLog = artifactPath(problems, "log", log);
        String relativeChart = artifactPath(problems, "chart", chart);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(step + ": " + String.join("; ", problems));
        }
        String line = text == null ? "" : text.strip();
        return new StageSummary(stage, line, relativeResult, relativeLog, relativeChart);
    }

    /** A path of the build's archive: relative, no '..', no empty segment; null when not given. */
    private static String artifactPath(List<String> problems, String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String path = value.strip().replace('\\', '/');
        boolean absolute = path.startsWith("/") || WINDOWS_ABSOLUTE.matcher(path).matches();
        boolean escapes = ("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./") || path.contains("//");
        boolean control = path.chars().anyMatch(Character::isISOControl);
        if (absolute || escapes || control || path.endsWith("/")) {
            problems.add("'" + field + "' must be an archived file's path relative to the workspace, without '.' or '..', "
                    + "e.g. .powerai/gpuTrain.json; got '" + value + "'");
            return null;
        }
        return path;
    }

    public String getStage() {
        return stage;
    }

    public String getText() {
        return text;
    }

    /** Result file, log, chart, in that order; the build's console output stands in for a missing log. */
    public List<SummaryLink> getLinks() {
        List<SummaryLink> links = new ArrayList<>();
        if (result != null) {
            links.add(new SummaryLink("result", fileName(result), artifactHref(result)));
        }
        links.add(log != null ? new SummaryLink("log", fileName(log), artifactHref(log))
                : new SummaryLink("log", "console output", CONSOLE));
        if (chart != null) {
            links.add(new SummaryLink("metrics chart", fileName(chart), artifactHref(chart)));
        }
        return Collections.unmodifiableList(links);
    }

    /**
     * The archived file's URL relative to the build page ({@code artifact/<path>}): every segment percent-encoded,
     * so that no name can end the attribute, start a query or fragment, or name another page.
     */
    static String artifactHref(String path) {
        StringBuilder href = new StringBuilder("artifact");
        for (String segment : path.split("/")) {
            href.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return href.toString();
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
