package io.powerai.core.attest;

import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.registry.RegistryClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A stage's attestations stored next to its image in the registry, as OCI artifacts under the tags cosign uses
 * when a registry has no referrers API ({@code sha256-<hex>.att} for the provenance, {@code sha256-<hex>.sbom} for
 * the SBOM): an OCI image manifest whose {@code artifactType} says what it holds, the empty config, and one layer
 * (the DSSE envelope, or the bare in-toto statement when the stage ran without a key; the CycloneDX SBOM). The
 * manifest names the image as its {@code subject} too, so a registry that has the referrers API lists it there.
 * What is there already stays (the image is the same bytes, so its statements still hold; a reused snapshot then
 * needs no push rights), except that a signed provenance replaces an unsigned one or one signed by another key; an
 * unsigned statement never replaces a signed one.
 */
public final class RegistryAttestations {
    public static final String PROVENANCE_SUFFIX = ".att";
    public static final String SBOM_SUFFIX = ".sbom";
    public static final String DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
    public static final String IN_TOTO_MEDIA_TYPE = "application/vnd.in-toto+json";
    public static final String CYCLONEDX_MEDIA_TYPE = "application/vnd.cyclonedx+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** OCI 1.1's empty descriptor: an artifact without a config of its own. */
    static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
    static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);
    static final String TITLE = "org.opencontainers.image.title";
    /** The artifact types each kind may have, as a referrers listing names them. */
    private static final Map<String, List<String>> KINDS = Map.of(PROVENANCE_SUFFIX, List.of(DSSE_MEDIA_TYPE, IN_TOTO_MEDIA_TYPE),
            SBOM_SUFFIX, List.of(CYCLONEDX_MEDIA_TYPE));

    private RegistryAttestations() {
    }

    /** The fallback tag of {@code imageDigest}'s artifact of this kind: {@code sha256-<hex><suffix>}. */
    public static String tag(String imageDigest, String suffix) {
        return imageDigest.replace(':', '-') + suffix;
    }

    /**
     * Pushes the provenance (signed or not) and the SBOM that {@code stage} wrote under {@code workspaceDir}
     * ({@code .powerai/}) next to {@code pinned}; what was pushed, by kind ({@code provenance}, {@code sbom}), as
     * references by digest.
     */
    public static Map<String, String> publish(RegistryClient registry, ImageReference pinned, Path workspaceDir, String stage) {
        Path dir = workspaceDir.resolve(Attestor.DIR);
        Path signed = dir.resolve(stage + Attestor.SIGNED_SUFFIX);
        Path unsigned = dir.resolve(stage + Attestor.UNSIGNED_SUFFIX);
        Path sbom = dir.resolve(stage + Attestor.SBOM_SUFFIX);
        RegistryClient.Fetched image = registry.manifest(pinned).orElseThrow(() -> new io.powerai.core.PowerAiException.InfrastructureUnavailable(
                stage + ": registry does not show " + pinned + " to attach its attestations to"));
        Map<String, String> pushed = new TreeMap<>();
        Optional<Artifact> provenance = existing(registry, pinned, PROVENANCE_SUFFIX);
        if (Files.isRegularFile(signed) && !(provenance.isPresent() && DSSE_MEDIA_TYPE.equals(provenance.get().mediaType())
                && signer(provenance.get().content()).equals(signer(read(signed))))) {
            pushed.put("provenance", push(registry, pinned, image, PROVENANCE_SUFFIX, DSSE_MEDIA_TYPE, signed));
        } else if (!Files.isRegularFile(signed) && Files.isRegularFile(unsigned) && provenance.isEmpty()) {
            pushed.put("provenance", push(registry, pinned, image, PROVENANCE_SUFFIX, IN_TOTO_MEDIA_TYPE, unsigned));
        }
        if (Files.isRegularFile(sbom) && existing(registry, pinned, SBOM_SUFFIX).isEmpty()) {
            pushed.put("sbom", push(registry, pinned, image, SBOM_SUFFIX, CYCLONEDX_MEDIA_TYPE, sbom));
        }
        return pushed;
    }

    /** What is stored next to {@code pinned} already (a malformed artifact counts as none: it is replaced). */
    private static Optional<Artifact> existing(RegistryClient registry, ImageReference pinned, String suffix) {
        try {
            return fetch(registry, pinned, suffix);
        } catch (Malformed e) {
            return Optional.empty();
        }
    }

    /** The key id of an envelope's first signature, or "" when it has none that can be read. */
    private static String signer(byte[] envelope) {
        try {
            if (Json.parseObject(new String(envelope, StandardCharsets.UTF_8)).get("signatures") instanceof List<?> list
                    && !list.isEmpty() && list.get(0) instanceof Map<?, ?> s && s.get("keyid") != null) {
                return String.valueOf(s.get("keyid"));
            }
        } catch (IOException e) {
            // not an envelope: no signer
        }
        return "";
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String push(RegistryClient registry, ImageReference pinned, RegistryClient.Fetched image, String suffix,
                               String artifactType, Path file) {
        return put(registry, pinned, image, suffix, artifactType, read(file), file.getFileName().toString());
    }

    /**
     * Stores {@code content} as the artifact of this kind next to {@code pinned}, whatever is there (the tag moves);
     * {@code title} names the layer. The reference pushed, by digest.
     */
    public static String put(RegistryClient registry, ImageReference pinned, String suffix, String artifactType, byte[] content,
                             String title) {
        RegistryClient.Fetched image = registry.manifest(pinned).orElseThrow(() -> new io.powerai.core.PowerAiException.InfrastructureUnavailable(
                "registry does not show " + pinned + " to attach an attestation to"));
        return put(registry, pinned, image, suffix, artifactType, content, title);
    }

    private static String put(RegistryClient registry, ImageReference pinned, RegistryClient.Fetched image, String suffix,
                              String artifactType, byte[] content, String title) {
        String configDigest = registry.pushBlob(pinned, EMPTY_CONFIG);
        String layerDigest = registry.pushBlob(pinned, content);
        Map<String, Object> layer = descriptor(artifactType, layerDigest, content.length);
        layer.put("annotations", Map.of(TITLE, title));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("artifactType", artifactType);
        manifest.put("config", descriptor(EMPTY_MEDIA_TYPE, configDigest, EMPTY_CONFIG.length));
        manifest.put("layers", List.of(layer));
        manifest.put("subject", descriptor(image.mediaType(), image.digest(), image.bytes().length));
        String tag = tag(pinned.digest().orElseThrow(), suffix);
        String digest = registry.pushManifest(pinned, tag, OCI_MANIFEST, Json.canonicalBytes(manifest));
        return pinned.name() + ":" + tag + "@" + digest;
    }

    private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    /** An artifact fetched back: the layer's media type and bytes, and where it was found (tag@digest). */
    public record Artifact(String mediaType, byte[] content, String reference) {
    }

    /**
     * The artifact of this kind stored next to {@code pinned}: the first referrer of its type where the registry has
     * the OCI 1.1 referrers API, else the one under the fallback tag; empty when there is none. A manifest that is not
     * one layer of an artifact is reported as what it is.
     */
    public static Optional<Artifact> fetch(RegistryClient registry, ImageReference pinned, String suffix) {
        Optional<String> referrer = registry.referrers(pinned).flatMap(list -> list.stream()
                .filter(d -> KINDS.get(suffix).contains(String.valueOf(d.get("artifactType"))) && d.get("digest") instanceof String)
                .map(d -> (String) d.get("digest")).findFirst());
        String tag = tag(pinned.digest().orElseThrow(), suffix);
        ImageReference tagged = referrer.map(d -> pinned.pinned(d)).orElse(ImageReference.parse(pinned.name() + ":" + tag));
        Optional<RegistryClient.Fetched> found = registry.manifest(tagged);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String where = referrer.isPresent() ? pinned.name() + "@" + found.get().digest() + " (a referrer)"
                : pinned.name() + ":" + tag + "@" + found.get().digest();
        Map<String, Object> manifest;
        try {
            manifest = Json.parseObject(new String(found.get().bytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Malformed(where + " is not a JSON manifest");
        }
        if (!(manifest.get("layers") instanceof List<?> layers) || layers.size() != 1 || !(layers.get(0) instanceof Map<?, ?> layer)
                || !(layer.get("digest") instanceof String digest) || !digest.matches("sha256:[0-9a-f]{64}")) {
            throw new Malformed(where + " is not an attestation artifact (it needs exactly one layer with a sha256 digest)");
        }
        byte[] content = registry.blob(tagged, digest).orElseThrow(() -> new Malformed(where + " names layer " + digest
                + ", which the registry does not have"));
        return Optional.of(new Artifact(String.valueOf(layer.get("mediaType")), content, where));
    }

    /** An artifact under the fallback tag that is not what powerai (or cosign) stores there. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message);
        }
    }
}
