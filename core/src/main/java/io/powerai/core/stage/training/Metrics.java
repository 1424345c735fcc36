package io.powerai.core.stage.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metrics convention: a training script reports a metric by printing one JSON object on a line of its own,
 * {@code {"metric": "accuracy", "value": 0.97}}, optionally with {@code "step": 3}. Every other line is log.
 * The last value of each metric is its final value.
 */
public final class Metrics {
    /** One reported value. */
    public record Point(String name, double value, Long step) {
    }

    private final List<Point> points = new ArrayList<>();

    /** Returns the point when {@code line} reports a metric, else null. */
    public synchronized Point accept(String line) {
        String text = line.strip();
        if (!text.startsWith("{") || !text.contains("\"metric\"")) {
            return null;
        }
        Map<String, Object> object;
        try {
            object = Json.parseObject(text);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (!(object.get("metric") instanceof String name) || !(object.get("value") instanceof Number value)) {
            return null;
        }
        Long step = object.get("step") instanceof Number n ? n.longValue() : null;
        Point point = new Point(name, value.doubleValue(), step);
        points.add(point);
        return point;
    }

    public synchronized Map<String, Double> finalValues() {
        return finalValues(points);
    }

    /** The last value of each metric of {@code points}, by name. */
    public static Map<String, Double> finalValues(List<Point> points) {
        Map<String, Double> out = new TreeMap<>();
        for (Point p : points) {
            out.put(p.name(), p.value());
        }
        return out;
    }

    public synchronized List<Point> points() {
        return List.copyOf(points);
    }

    /**
     * The points of a {@code metrics.json} that a training wrote ({@code {"final": ..., "points": [...]}}), for
     * pictures drawn later (a report, a build page). Points that are not a name with a finite value are left out;
     * a missing or unreadable file has none.
     */
    public static List<Point> readPoints(java.nio.file.Path metricsJson) {
        List<Point> out = new ArrayList<>();
        Map<String, Object> json;
        try {
            json = Json.readObject(metricsJson);
        } catch (java.io.IOException | RuntimeException e) {
            return out;
        }
        if (json.get("points") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> p && p.get("name") instanceof String name && p.get("value") instanceof Number value
                        && Double.isFinite(value.doubleValue())) {
                    out.add(new Point(name, value.doubleValue(), p.get("step") instanceof Number step ? step.longValue() : null));
                }
            }
        }
        return out;
    }
}
