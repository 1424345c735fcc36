package io.powerai.core.attest;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Writes a stage's attestations under {@code .powerai/attestations/}: {@code <stage>.cdx.json} (the CycloneDX SBOM, for
 * the stages that build an image), and the provenance statement as {@code <stage>.dsse.json} (a DSSE envelope) when a
 * signing key was given, else as {@code <stage>.intoto.json} (the bare statement, unsigned). Only one of the two
 * exists at a time: a file named {@code .dsse.json} is always signed.
 *
 * @param builder who runs the stages
 * @param key     the signing key, or null: statements are then written unsigned
 */
public record Attestor(Builder builder, SigningKey key) {
    public static final String DIR = "attestations";
    public static final String SBOM_SUFFIX = ".cdx.json";
    public static final String SIGNED_SUFFIX = ".dsse.json";
    public static final String UNSIGNED_SUFFIX = ".intoto.json";

    /** No key, builder unknown: what a context gets when its face configured nothing. */
    public static Attestor unsigned(Builder builder) {
        return new Attestor(builder, null);
    }

    public boolean signs() {
        return key != null;
    }

    /** What was written: file (relative to {@code .powerai/}) to SHA-256, whether signed, and by which key. */
    public record Written(Map<String, String> files, boolean signed, String keyId) {
        public Written {
            files = new TreeMap<>(files);
        }

        /** For the audit record's details and the result: {files: {path: sha256}, signed, keyId}. */
        public Map<String, Object> toJson() {
            Map<String, Object> out = new TreeMap<>();
            out.put("files", files);
            out.put("signed", signed);
            if (keyId != null) {
                out.put("keyId", keyId);
            }
            return out;
        }
    }

    /**
     * Writes the SBOM (when not null) and the provenance of {@code subjects}; each file whole or not at all.
     *
     * @param workspaceDir the {@code .powerai/} folder
     */
    public Written write(Path workspaceDir, Provenance.Build build, List<Provenance.Subject> subjects, Map<String, Object> sbom) {
        Path dir = workspaceDir.resolve(DIR);
        String stage = build.stage();
        Map<String, String> files = new LinkedHashMap<>();
        try {
            Files.createDirectories(dir);
            Path sbomFile = dir.resolve(stage + SBOM_SUFFIX);
            if (sbom != null) {
                files.put(DIR + "/" + sbomFile.getFileName(), write(sbomFile, Json.pretty(sbom) + "\n"));
            } else {
                Files.deleteIfExists(sbomFile);
            }
            Map<String, Object> statement = Provenance.statement(subjects, build, builder, invocationId(build, subjects));
            byte[] payload = Json.canonicalBytes(statement);
            Path signed = dir.resolve(stage + SIGNED_SUFFIX);
            Path unsigned = dir.resolve(stage + UNSIGNED_SUFFIX);
            if (key != null) {
                Map<String, Object> envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, payload, key);
                files.put(DIR + "/" + signed.getFileName(), write(signed, Json.pretty(envelope) + "\n"));
                Files.deleteIfExists(unsigned);
            } else {
                files.put(DIR + "/" + unsigned.getFileName(), write(unsigned, Json.pretty(statement) + "\n"));
                Files.deleteIfExists(signed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the attestations of " + stage + " in " + dir + ": " + e.getMessage(), e);
        }
        return new Written(files, key != null, key == null ? null : key.keyId());
    }

    private static String write(Path file, String text) {
        Json.writeAtomically(file, text);
        return Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** One id per run of a stage on its subjects: derived from them, the stage, the builder and the time, so reproducible. */
    private String invocationId(Provenance.Build build, List<Provenance.Subject> subjects) {
        if (builder.inJenkins()) {
            return builder.buildUrl() + "#" + build.stage();
        }
        StringBuilder seed = new StringBuilder(builder.id()).append(' ').append(build.stage()).append(' ').append(build.finishedOn());
        subjects.forEach(s -> seed.append(' ').append(s.sha256()));
        return "urn:uuid:" + UUID.nameUUIDFromBytes(seed.toString().getBytes(StandardCharsets.UTF_8));
    }
}
