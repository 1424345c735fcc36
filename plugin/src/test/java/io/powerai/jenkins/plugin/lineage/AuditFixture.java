package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Audit logs written by the core's {@link AuditLog}, the way the four stages write them. */
final class AuditFixture {
    static final String BASE = "127.0.0.1:5000/powerai/python-ml@sha256:" + "b".repeat(64);
    static final String ENV_IMAGE = "127.0.0.1:5000/svm-moons-env@sha256:" + "e".repeat(64);
    static final String SCORE_IMAGE = "127.0.0.1:5000/svm-moons-score@sha256:" + "c".repeat(64);
    static final String MODEL_SHA = Digests.sha256("the model's bytes");
    static final String ENDPOINT = "http://127.0.0.1:8890/score";

    final AuditLog log;

    AuditFixture(Path dir) {
        this.log = new AuditLog(dir.resolve("audit.jsonl"), Clock.fixed(Instant.parse("2026-11-26T18:20:00Z"), ZoneOffset.UTC));
    }

    Path file() {
        return log.file();
    }

    AuditFixture snapshot(String image) {
        log.append(new AuditLog.Entry("amlEnvSnapshot", "succeeded",
                Map.of("base_image", BASE, "requirements.txt", Digests.sha256("scikit-learn==1.2.1\n")),
                Map.of("image", image, "Dockerfile", Digests.sha256("FROM " + BASE)), Map.of("built", true)));
        return this;
    }

    AuditFixture train(String status, String image, Map<String, String> outputs) {
        Map<String, String> all = new TreeMap<>(outputs);
        all.put("train.log", Digests.sha256("epoch 1"));
        Map<String, Object> details = new TreeMap<>(Map.of("script", "train.py", "exitCode", "succeeded".equals(status) ? 0 : 1));
        if (!"succeeded".equals(status)) {
            details.put("failure", "the training script exited with code 1");
        }
        log.append(new AuditLog.Entry("gpuTrain", status,
                Map.of("image", image, "code", Digests.sha256("code"), "data", Digests.sha256("data")), all, details));
        return this;
    }

    AuditFixture train(String image) {
        return train("succeeded", image, Map.of("outputs/model.pkl", MODEL_SHA, "outputs/metrics.json", Digests.sha256("{}")));
    }

    AuditFixture scoringImage(String snapshotImage, String modelSha, String modelPath, String image) {
        log.append(new AuditLog.Entry("scoringImage", "succeeded",
                Map.of("snapshot_image", snapshotImage, "model", modelSha, "entry_script", Digests.sha256("score.py"),
                        "server", Digests.sha256("server")),
                Map.of("image", image, "Dockerfile", Digests.sha256("FROM " + snapshotImage)),
                Map.of("modelPath", modelPath, "smokeTest", "passed")));
        return this;
    }

    AuditFixture deploy(String status, String image) {
        Map<String, Object> details = new TreeMap<>(Map.of("target", "local"));
        if (!"succeeded".equals(status)) {
            details.put("failure", "smoke test failed");
        }
        log.append(new AuditLog.Entry("aksDeploy", status, Map.of("image", image), Map.of("endpoint", ENDPOINT), details));
        return this;
    }

    /** The four stages, each consuming what the one before produced. */
    AuditFixture fullPipeline() {
        return snapshot(ENV_IMAGE).train(ENV_IMAGE).scoringImage(ENV_IMAGE, MODEL_SHA, "model.pkl", SCORE_IMAGE)
                .deploy("succeeded", SCORE_IMAGE);
    }

    /** Rewrites one record (1-based) with its hash left as it was: what someone editing the log by hand does. */
    void tamper(int record, String from, String to) throws IOException {
        List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        String line = lines.get(record - 1);
        if (!line.contains(from)) {
            throw new IllegalArgumentException("record " + record + " has no " + from + ": " + line);
        }
        lines.set(record - 1, line.replace(from, to));
        Files.write(file(), lines, StandardCharsets.UTF_8);
    }

    void removeLast() throws IOException {
        List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        Files.write(file(), lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);
    }

    static String treeDigest(Map<String, String> files) {
        return Digests.sha256(Json.canonicalBytes(new TreeMap<>(files)));
    }
}
