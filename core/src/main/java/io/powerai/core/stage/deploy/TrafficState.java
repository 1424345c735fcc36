package io.powerai.core.stage.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which color the Service sends traffic to, as recorded in the Service's annotations. With a split, the
 * Service selects both colors and {@code candidatePercent} is the share asked for the candidate; the share it
 * really gets follows the ratio of ready pods (one Service selector cannot weigh them).
 */
public record TrafficState(Color live, Color candidate, int candidatePercent) {

    public static TrafficState serving(Color live) {
        return new TrafficState(live, null, 0);
    }

    public boolean split() {
        return candidate != null;
    }

    /** The Service's annotations that record this state. */
    Map<String, String> annotations() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(AksManifests.LIVE_COLOR, live.label());
        if (split()) {
            out.put(AksManifests.CANDIDATE_COLOR, candidate.label());
            out.put(AksManifests.CANDIDATE_PERCENT, String.valueOf(candidatePercent));
        }
        return out;
    }

    /** The state a Service records, or null when it records none (not made by powerai). */
    static TrafficState of(Map<String, String> annotations) {
        if (annotations == null) {
            return null;
        }
        Color live = Color.parse(annotations.get(AksManifests.LIVE_COLOR));
        if (live == null) {
            return null;
        }
        Color candidate = Color.parse(annotations.get(AksManifests.CANDIDATE_COLOR));
        if (candidate == null || candidate == live) {
            return serving(live);
        }
        int percent;
        try {
            percent = Integer.parseInt(annotations.getOrDefault(AksManifests.CANDIDATE_PERCENT, "0"));
        } catch (NumberFormatException e) {
            percent = 0;
        }
        return new TrafficState(live, candidate, percent);
    }

    /** Replicas of live and candidate for a split of {@code total} serving replicas: each at least one. */
    static int[] splitReplicas(int total, int candidatePercent) {
        int candidate = Math.max(1, Math.round(total * candidatePercent / 100f));
        int live = Math.max(1, total - candidate);
        return new int[] {live, candidate};
    }
}
