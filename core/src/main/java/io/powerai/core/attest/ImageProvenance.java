package io.powerai.core.attest;

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
 * Per image of a {@code .powerai} folder (or a build's archived copy of one): whether its provenance is signed, by
 * which key, and whether it verifies with one of the allowed keys (its subject being the digest the stage's result
 * recorded). What the "ML lineage" page shows; read from files only, so a page view never reaches a registry.
 */
public final class ImageProvenance {
    /** The stages that build an image, with the label the page gives them. */
    private static final Map<String, String> IMAGE_STAGES = Map.of("amlEnvSnapshot", "environment image", "scoringImage", "scoring image");
    private static final List<String> ORDER = List.of("amlEnvSnapshot", "scoringImage");

    /** The files this reads, relative to the {@code .powerai} folder: what a build copies to show them. */
    public static final List<String> SOURCE_FILES = List.of(
            Attestor.DIR + "/amlEnvSnapshot" + Attestor.SIGNED_SUFFIX, Attestor.DIR + "/amlEnvSnapshot" + Attestor.UNSIGNED_SUFFIX,
            Attestor.DIR + "/scoringImage" + Attestor.SIGNED_SUFFIX, Attestor.DIR + "/scoringImage" + Attestor.UNSIGNED_SUFFIX);

    public enum Status {
        /** Signed by an allowed key, subject = the recorded digest. */
        VERIFIED,
        /** Signed, but no allowed key is configured to check it with. */
        SIGNED_NOT_CHECKED,
        /** Signed, and the check failed (another key, tampered, another subject). */
        FAILED,
        /** Written without a key. */
        UNSIGNED,
        /** No provenance (the stage did not run, or ran before powerai wrote them). */
        NONE
    }

    /** One image's row: the stage, its label, the image, the status, the signer's key id (or null) and why. */
    public record Row(String stage, String label, String image, Status status, String keyId, String message) {
    }

    private ImageProvenance() {
    }

    /** The rows of {@code poweraiDir}'s images, checked with {@code allowedKeys} (none: signatures are reported, not checked). */
    public static List<Row> read(Path poweraiDir, List<PublicKey> allowedKeys) {
        List<Row> rows = new ArrayList<>();
        for (String stage : ORDER) {
            rows.add(row(poweraiDir, stage, allowedKeys));
        }
        return rows;
    }

    private static Row row(Path ws, String stage, List<PublicKey> keys) {
        String label = IMAGE_STAGES.get(stage);
        Map<String, Object> result = readOrNull(ws.resolve(stage + ".json"));
        String image = result == null ? null : String.valueOf(result.get("image"));
        Path signed = ws.resolve(Attestor.DIR).resolve(stage + Attestor.SIGNED_SUFFIX);
        if (result == null) {
            return new Row(stage, label, null, Status.NONE, null, "the stage has not run");
        }
        if (!Files.isRegularFile(signed)) {
            return Files.isRegularFile(ws.resolve(Attestor.DIR).resolve(stage + Attestor.UNSIGNED_SUFFIX))
                    ? new Row(stage, label, image, Status.UNSIGNED, null, "written without a signing key")
                    : new Row(stage, label, image, Status.NONE, null, "no provenance recorded");
        }
        Map<String, Object> envelope = readOrNull(signed);
        if (envelope == null) {
            return new Row(stage, label, image, Status.FAILED, null, signed.getFileName() + " is not JSON (truncated?)");
        }
        String signer = signerOf(envelope);
        if (keys.isEmpty()) {
            return new Row(stage, label, image, Status.SIGNED_NOT_CHECKED, signer,
                    "signed; not checked: no allowed key in the powerai global settings");
        }
        for (PublicKey key : keys) {
            Dsse.Opened opened = Dsse.open(envelope, key);
            if (opened.ok()) {
                String subjectProblem = subjectProblem(opened.payload(), String.valueOf(result.get("digest")));
                return subjectProblem == null
                        ? new Row(stage, label, image, Status.VERIFIED, opened.keyId(), "signature and subject digest verified")
                        : new Row(stage, label, image, Status.FAILED, opened.keyId(), subjectProblem);
            }
        }
        return new Row(stage, label, image, Status.FAILED, signer, "no signature verifies with an allowed key");
    }

    private static String subjectProblem(byte[] payload, String digest) {
        try {
            Map<String, Object> statement = Json.parseObject(new String(payload, StandardCharsets.UTF_8));
            if (!Provenance.PREDICATE_TYPE.equals(statement.get("predicateType"))) {
                return "unknown predicate type '" + statement.get("predicateType") + "'";
            }
            if (statement.get("subject") instanceof List<?> subjects) {
                for (Object o : subjects) {
                    if (o instanceof Map<?, ?> s && s.get("digest") instanceof Map<?, ?> d && Provenance.strip(digest).equals(d.get("sha256"))) {
                        return null;
                    }
                }
            }
            return "subject digest mismatch: the provenance does not name " + digest;
        } catch (IOException e) {
            return "the signed payload is not JSON";
        }
    }

    /** The key id the envelope's first signature names (what it claims; only a verification proves it). */
    private static String signerOf(Map<String, Object> envelope) {
        if (envelope.get("signatures") instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> s && s.get("keyid") != null) {
            return String.valueOf(s.get("keyid"));
        }
        return null;
    }

    private static Map<String, Object> readOrNull(Path file) {
        try {
            return Files.isRegularFile(file) ? Json.readObject(file) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
