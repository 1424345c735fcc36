package io.powerai.core.attest;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a workspace's attestations against a public key: each stage's envelope must verify, be an in-toto Statement
 * v1 of SLSA Provenance v1, and name as subjects exactly what the stage's result recorded (the image digest, or the
 * hash of every output file as it is on disk now); every attestation file the result lists must still have its hash.
 */
public final class AttestationCheck {
    /** The stages that attest, each with the section its outputs live in. */
    static final List<String> STAGES = List.of("amlEnvSnapshot", "gpuTrain", "scoringImage");

    /** One stage's verdict: ok, or the first thing wrong. */
    public record Finding(String stage, boolean ok, String message) {
    }

    private AttestationCheck() {
    }

    /** The findings for every stage whose result is in {@code workspaceDir} ({@code .powerai/}); empty when none is. */
    public static List<Finding> check(Path workspaceDir, PublicKey key) {
        List<Finding> findings = new ArrayList<>();
        for (String stage : STAGES) {
            Path resultFile = workspaceDir.resolve(stage + ".json");
            if (!Files.isRegularFile(resultFile)) {
                continue;
            }
            try {
                findings.add(checkStage(workspaceDir, stage, Json.readObject(resultFile), key));
            } catch (IOException | RuntimeException e) {
                findings.add(new Finding(stage, false, "cannot read " + resultFile.getFileName() + " or its attestation: "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
            }
        }
        return findings;
    }

    private static Finding checkStage(Path ws, String stage, Map<String, Object> result, PublicKey key) throws IOException {
        if (!"succeeded".equals(result.get("status"))) {
            return new Finding(stage, false, "the last run did not succeed (status " + result.get("status") + "): nothing attested");
        }
        if (!(result.get("attestations") instanceof Map<?, ?> attestations) || !(attestations.get("files") instanceof Map<?, ?> files)) {
            return new Finding(stage, false, "the result lists no attestations (made before powerai wrote them?)");
        }
        for (Map.Entry<?, ?> f : files.entrySet()) {
            Path file = ws.resolve(String.valueOf(f.getKey())).normalize();
            if (!file.startsWith(ws.resolve(Attestor.DIR)) || !Files.isRegularFile(file)) {
                return new Finding(stage, false, f.getKey() + " is missing");
            }
            if (!Digests.sha256(file).equals(f.getValue())) {
                return new Finding(stage, false, f.getKey() + " changed since the stage wrote it (SHA-256 differs from the result's)");
            }
        }
        Path envelopeFile = ws.resolve(Attestor.DIR).resolve(stage + Attestor.SIGNED_SUFFIX);
        if (!Files.isRegularFile(envelopeFile)) {
            return new Finding(stage, false, "not signed (only " + stage + Attestor.UNSIGNED_SUFFIX + "; run with POWERAI_SIGNING_KEY)");
        }
        Map<String, Object> envelope;
        try {
            envelope = Json.readObject(envelopeFile);
        } catch (IOException e) {
            return new Finding(stage, false, envelopeFile.getFileName() + " is not JSON (truncated?)");
        }
        Dsse.Opened opened = Dsse.open(envelope, key);
        if (!opened.ok()) {
            return new Finding(stage, false, envelopeFile.getFileName() + ": " + opened.problem());
        }
        Map<String, Object> statement = Json.parseObject(new String(opened.payload(), StandardCharsets.UTF_8));
        if (!Provenance.STATEMENT_TYPE.equals(statement.get("_type"))) {
            return new Finding(stage, false, "_type is '" + statement.get("_type") + "', not " + Provenance.STATEMENT_TYPE);
        }
        if (!Provenance.PREDICATE_TYPE.equals(statement.get("predicateType"))) {
            return new Finding(stage, false, "unknown predicate type '" + statement.get("predicateType") + "', not " + Provenance.PREDICATE_TYPE);
        }
        Map<String, String> expected = expectedSubjects(ws, stage, result);
        Map<String, String> actual = new java.util.TreeMap<>();
        if (statement.get("subject") instanceof List<?> subjects) {
            for (Object o : subjects) {
                if (o instanceof Map<?, ?> s && s.get("digest") instanceof Map<?, ?> d) {
                    actual.put(String.valueOf(s.get("name")), String.valueOf(d.get("sha256")));
                }
            }
        }
        if (!actual.equals(expected)) {
            return new Finding(stage, false, "subject digest mismatch: the statement names " + actual + ", the workspace has " + expected);
        }
        return new Finding(stage, true, "signature OK (key " + opened.keyId() + "), " + actual.size() + " subject(s) match: "
                + String.join(", ", actual.keySet()));
    }

    /** What the subjects must be: the image by the result's digest, or every output file's hash as it is on disk. */
    private static Map<String, String> expectedSubjects(Path ws, String stage, Map<String, Object> result) {
        Map<String, String> expected = new java.util.TreeMap<>();
        if (stage.equals("gpuTrain")) {
            Path outputs = ws.resolve(String.valueOf(result.get("outputsDir"))).normalize();
            if (!outputs.startsWith(ws)) {
                return Map.of("(outputsDir outside the workspace)", "");
            }
            Digests.sha256Tree(outputs).forEach((path, sha) -> expected.put("outputs/" + path, sha));
        } else {
            String image = String.valueOf(result.get("image"));
            int at = image.indexOf('@');
            expected.put(at < 0 ? image : image.substring(0, at), Provenance.strip(String.valueOf(result.get("digest"))));
        }
        return expected;
    }
}
