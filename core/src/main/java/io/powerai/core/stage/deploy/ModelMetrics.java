package io.powerai.core.stage.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.result.ScoringImageResult;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.workspace.Workspace;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A model's final metrics as a deployment records them (the label {@code io.powerai.metrics} on a local container,
 * the annotation {@code powerai.io/metrics} on Kubernetes objects): canonical JSON of name to number. And the
 * metrics of the model a deploy is about to serve, from the training that wrote it.
 */
public final class ModelMetrics {
    public static final String LOCAL_LABEL = "io.powerai.metrics";
    /** Record values longer than this are not kept: a label or annotation must stay small. */
    static final int MAX_RECORD_CHARS = 16_384;

    private ModelMetrics() {
    }

    /** The canonical record of {@code metrics}; null when there are none or they are too many to record. */
    public static String record(Map<String, Double> metrics) {
        if (metrics == null || metrics.isEmpty()) {
            return null;
        }
        String json = Json.canonical(new TreeMap<>(metrics));
        return json.length() > MAX_RECORD_CHARS ? null : json;
    }

    /** The metrics of a record; null when there is no record or it cannot be read (as good as none). */
    public static Map<String, Double> parse(String record) {
        if (record == null || record.isBlank()) {
            return null;
        }
        Map<String, Object> json;
        try {
            json = Json.parseObject(record);
        } catch (JsonProcessingException e) {
            return null;
        }
        Map<String, Double> out = new TreeMap<>();
        json.forEach((name, value) -> {
            if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                out.put(name, n.doubleValue());
            }
        });
        return out;
    }

    /** As {@link #ofScoringImage(Workspace)}; a clear error where the gate needs them and they are not known. */
    public static Map<String, Double> requireOfScoringImage(Workspace workspace, String stage, String image) {
        Map<String, Double> metrics = image == null ? ofScoringImage(workspace) : null;
        if (metrics == null) {
            Optional<ScoringImageResult> scoring = workspace.lastResult(Stage.SCORING_IMAGE, ScoringImageResult.class);
            throw PowerAiException.InvalidInput.bare("the gate needs the new model's metrics, but "
                    + (image != null ? "the image " + image + " was given, not the last scoring image of " + workspace.dir()
                    : "the last gpuTrain result in " + workspace.dir() + " did not write the model of the last scoring image ("
                    + scoring.map(ScoringImageResult::model).orElse(null) + ", sha256 "
                    + scoring.map(ScoringImageResult::modelSha256).orElse(null) + ")") + ": run train and scoring-image, then deploy");
        }
        return metrics;
    }

    /**
     * The final metrics of the model in the last scoring image of {@code workspace}: those of the last training,
     * provided that training wrote the model the image carries (else the numbers would belong to another model);
     * null when it did not.
     */
    public static Map<String, Double> ofScoringImage(Workspace workspace) {
        Optional<ScoringImageResult> scoring = workspace.lastResult(Stage.SCORING_IMAGE, ScoringImageResult.class);
        TrainingResult train = workspace.lastResult(Stage.TRAIN, TrainingResult.class).orElse(null);
        String model = scoring.map(ScoringImageResult::model).orElse(null);
        String sha = scoring.map(ScoringImageResult::modelSha256).orElse(null);
        if (train == null || train.outputs() == null || model == null || sha == null
                || !Objects.equals(digestInOutputs(train.outputs(), model), sha)) {
            return null;
        }
        Map<String, Double> out = new TreeMap<>();
        if (train.metrics() != null) {
            train.metrics().forEach((name, value) -> {
                if (value != null && Double.isFinite(value)) {
                    out.put(name, value);
                }
            });
        }
        return out;
    }

    /**
     * The digest the scoring image records for {@code model}, computed from the training's listing of its outputs
     * (path to SHA-256): a file's own SHA-256, or for a folder (a model of several files) the SHA-256 of the canonical
     * listing of the files under it, as {@link Digests#sha256OfTree} hashes it. Null when the outputs hold no such model.
     */
    static String digestInOutputs(Map<?, ?> outputs, String model) {
        String name = model.replace('\\', '/').replaceAll("/+$", "");
        name = name.equals(".") ? "" : name.startsWith("./") ? name.substring(2) : name;
        Object file = outputs.get(name);
        if (file != null) {
            return String.valueOf(file);
        }
        String prefix = name.isEmpty() ? "" : name + "/";
        SortedMap<String, String> tree = new TreeMap<>();
        outputs.forEach((path, sha) -> {
            String p = String.valueOf(path);
            if (p.startsWith(prefix)) {
                tree.put(p.substring(prefix.length()), String.valueOf(sha));
            }
        });
        return tree.isEmpty() ? null : Digests.sha256(Json.canonicalBytes(tree));
    }
}
