package io.powerai.core.lineage;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.audit.AuditRecord;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The chain environment -> (code, data) -> training run -> model -> scoring image -> deployment of one
 * {@code .powerai} folder, from the stages' result files (the last run of each), each node dated by the audit
 * record its result names, and each link checked by digest: a training run in another image than the snapshot's,
 * a scoring image of another model, a deployment of another image shows as a mismatch. Files links are relative
 * to the {@code .powerai} folder.
 */
public record LineageChain(List<Node> nodes, List<Link> links, AuditLog.Verification verification) {

    public enum Kind {
        ENVIRONMENT("environment"), CODE("code"), DATA("data"), TRAINING("training run"), MODEL("model"),
        IMAGE("scoring image"), DEPLOYMENT("deployment");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One step of the chain. {@code status} is null when its stage has not run; {@code href} null when no file shows it. */
    public record Node(Kind kind, String status, String digest, String detail, String time, String href) {
        public boolean present() {
            return status != null;
        }
    }

    public enum LinkStatus { LINKED, MISMATCH, NOT_RUN }

    /** How {@code to} was made from {@code from}; {@code why} says what was compared. */
    public record Link(Kind from, Kind to, LinkStatus status, String why) {
    }

    /** The files of a {@code .powerai} folder the chain and the metrics panels are drawn from, relative to it. */
    public static final List<String> SOURCE_FILES = List.of("amlEnvSnapshot.json", "gpuTrain.json", "scoringImage.json",
            "aksDeploy.json", "train/metrics.json");

    public LineageChain {
        nodes = List.copyOf(nodes);
        links = List.copyOf(links);
    }

    public Node node(Kind kind) {
        return nodes.stream().filter(n -> n.kind() == kind).findFirst().orElseThrow();
    }

    /** Reads the chain of {@code poweraiDir} (a workspace's {@code .powerai}, or an archived copy of one). */
    public static LineageChain read(Path poweraiDir) {
        AuditLog audit = new AuditLog(poweraiDir.resolve("audit.jsonl"), Clock.systemUTC());
        Results results = new Results(audit.records());
        Result env = results.of(poweraiDir, Stage.SNAPSHOT);
        Result train = results.of(poweraiDir, Stage.TRAIN);
        Result image = results.of(poweraiDir, Stage.SCORING_IMAGE);
        Result deploy = results.of(poweraiDir, Stage.DEPLOY);

        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node(Kind.ENVIRONMENT, env.status(), env.text("snapshotId"), Short.image(env.text("image")),
                env.time(), env.present() ? "amlEnvSnapshot.json" : null));
        nodes.add(new Node(Kind.CODE, train.present() ? "hashed" : null, train.text("codeDigest"),
                train.text("revision") == null ? "the project folder" : "revision " + Short.digest(train.text("revision")),
                train.time(), train.present() ? "gpuTrain.json" : null));
        nodes.add(new Node(Kind.DATA, train.present() && train.text("dataDigest") != null ? "hashed" : null,
                train.text("dataDigest"), "the data folder", train.time(), train.present() ? "gpuTrain.json" : null));
        nodes.add(new Node(Kind.TRAINING, train.status(), train.seqText(), train.text("backend") == null ? null
                : train.text("backend") + ", " + seconds(train.value("durationMillis")), train.time(),
                train.present() ? train.textOr("log", "gpuTrain.json") : null));
        String modelName = image.text("model");
        String modelSha = image.text("modelSha256");
        String trainedSha = modelName == null ? null : train.output(modelName);
        nodes.add(new Node(Kind.MODEL, modelName != null && train.present() ? train.status() : null,
                trainedSha != null ? trainedSha : modelSha, modelName, train.time(),
                modelName != null && Href.isSafeRelative(modelName) && train.present()
                        ? train.textOr("outputsDir", "train/outputs") + "/" + modelName : null));
        nodes.add(new Node(Kind.IMAGE, image.status(), image.text("digest"), Short.image(image.text("imageTag")),
                image.time(), image.present() ? "scoringImage.json" : null));
        nodes.add(new Node(Kind.DEPLOYMENT, deploy.status(), digestOf(deploy.text("image")),
                deploy.textOr("scoringUrl", deploy.textOr("endpoint", deploy.text("target"))),
                deploy.time(), deploy.present() ? "aksDeploy.json" : null));

        List<Link> links = new ArrayList<>();
        links.add(link(Kind.ENVIRONMENT, Kind.TRAINING, env, train, Objects.equals(env.text("image"), train.text("image")),
                "the training ran in " + train.text("image") + "; the snapshot pushed " + env.text("image")));
        links.add(link(Kind.CODE, Kind.TRAINING, train, train, true, "hashed by the training run"));
        links.add(link(Kind.DATA, Kind.TRAINING, train, train, train.text("dataDigest") != null, "hashed by the training run"));
        links.add(link(Kind.TRAINING, Kind.MODEL, train, image, trainedSha != null,
                modelName == null ? "no scoring image names a model" : "the training's output " + modelName));
        links.add(link(Kind.MODEL, Kind.IMAGE, train, image, trainedSha != null && trainedSha.equals(modelSha),
                "the image carries sha256 " + modelSha + "; the training wrote " + trainedSha));
        links.add(link(Kind.IMAGE, Kind.DEPLOYMENT, image, deploy, Objects.equals(image.text("image"), deploy.text("image")),
                "the deployment runs " + deploy.text("image") + "; the scoring stage built " + image.text("image")));
        return new LineageChain(nodes, links, audit.verify());
    }

    private static Link link(Kind from, Kind to, Result a, Result b, boolean matches, String why) {
        if (!a.present() || !b.present()) {
            return new Link(from, to, LinkStatus.NOT_RUN, (a.present() ? to : from).label() + " has not run");
        }
        return new Link(from, to, matches ? LinkStatus.LINKED : LinkStatus.MISMATCH, why);
    }

    private static String digestOf(String image) {
        return image == null || !image.contains("@") ? null : image.substring(image.indexOf('@') + 1);
    }

    private static String seconds(Object millis) {
        return millis instanceof Number n ? String.format(java.util.Locale.ROOT, "%.1f s", n.doubleValue() / 1000) : "?";
    }

    /** The audit records, to date each result by the record it names (and only when the hashes agree). */
    private record Results(List<AuditRecord> records) {
        Result of(Path dir, Stage stage) {
            Path file = dir.resolve(stage.stepName() + ".json");
            Map<String, Object> json = null;
            if (Files.isRegularFile(file)) {
                try {
                    json = Json.readObject(file);
                } catch (IOException | RuntimeException e) {
                    json = null; // an unreadable result is a stage with nothing to show
                }
            }
            String time = null;
            if (json != null && json.get("audit") instanceof Map<?, ?> audit) {
                for (AuditRecord r : records) {
                    if (Objects.equals(String.valueOf(audit.get("hash")), r.hash()) && stage.stepName().equals(r.stage())) {
                        time = r.time();
                    }
                }
            }
            return new Result(json, time);
        }
    }

    private record Result(Map<String, Object> json, String time) {
        boolean present() {
            return json != null;
        }

        Object value(String key) {
            return json == null ? null : json.get(key);
        }

        String text(String key) {
            Object v = value(key);
            return v instanceof String || v instanceof Number || v instanceof Boolean ? String.valueOf(v) : null;
        }

        String textOr(String key, String fallback) {
            String v = text(key);
            return v == null ? fallback : v;
        }

        String status() {
            return present() ? textOr("status", "unknown") : null;
        }

        String seqText() {
            return value("audit") instanceof Map<?, ?> audit && audit.get("seq") != null ? "audit #" + audit.get("seq") : null;
        }

        /** The SHA-256 of output {@code name}: of the file, or for a folder as {@code Digests.sha256OfTree} hashes it. */
        String output(String name) {
            if (!(value("outputs") instanceof Map<?, ?> outputs)) {
                return null;
            }
            if (outputs.get(name) instanceof String sha) {
                return sha;
            }
            String prefix = name.endsWith("/") ? name : name + "/";
            Map<String, String> below = new java.util.TreeMap<>();
            outputs.forEach((k, v) -> {
                if (String.valueOf(k).startsWith(prefix) && v instanceof String sha) {
                    below.put(String.valueOf(k).substring(prefix.length()), sha);
                }
            });
            return below.isEmpty() ? null : Digests.sha256(Json.canonicalBytes(below));
        }
    }
}
