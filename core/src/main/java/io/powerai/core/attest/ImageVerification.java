package io.powerai.core.attest;

import io.powerai.core.PowerAiException;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.registry.RegistryClient;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies an image from what the registry holds next to it (the {@code .att} artifact): the DSSE signature with one
 * of the given public keys, an in-toto Statement v1 of SLSA Provenance v1, a subject whose digest is the image's, and
 * the chain: a scoring image's provenance names the model by hash and the environment image by digest, and that
 * image's own provenance must verify the same way. The first thing wrong ends the check, as one line.
 */
public final class ImageVerification {
    static final String SCORING_BUILD = Provenance.BUILD_TYPE_PREFIX + "scoringImage:v1";
    static final String ENVIRONMENT_BUILD = Provenance.BUILD_TYPE_PREFIX + "amlEnvSnapshot:v1";

    /** One verified image: by digest, which key signed it, the build type and who built it. */
    public record Link(ImageReference image, String keyId, String buildType, String builder) {
    }

    /**
     * The outcome: the images verified, down the chain (the scoring image first); the model the scoring image holds
     * (sha256 and its path) and, when the model's own provenance was checked, the key that signed it; or the one reason
     * the check failed.
     */
    public record Verdict(List<Link> chain, String modelSha256, String modelPath, String modelKeyId, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    private final RegistryClient registry;
    private final List<PublicKey> keys;

    public ImageVerification(RegistryClient registry, List<PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("verifying needs at least one public key");
        }
        this.registry = registry;
        this.keys = List.copyOf(keys);
    }

    /**
     * Verifies {@code image} (by tag or digest) and its chain. A reference that is not one is invalid input; an
     * unreachable registry is infrastructure unavailable; everything else is a verdict.
     */
    public Verdict verify(String image, String field) {
        return verify(image, field, null);
    }

    /**
     * As {@link #verify(String, String)}, and where {@code modelProvenance} (a training run's {@code gpuTrain.dsse.json})
     * is given, the model too: that envelope must verify with one of the keys, name the scoring image's model by its
     * sha256 among its subjects, and name the environment image it was trained in by the digest the scoring image was
     * built on.
     */
    public Verdict verify(String image, String field, java.nio.file.Path modelProvenance) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            throw new PowerAiException.InvalidInput(field + " '" + image + "' is not an image reference: " + e.getMessage());
        }
        Optional<String> digest = ref.digest().isPresent() ? ref.digest() : registry.digest(ref);
        if (digest.isEmpty()) {
            return failed(List.of(), ref + ": no such image in registry " + ref.registry());
        }
        List<Link> chain = new ArrayList<>();
        try {
            Map<String, Object> statement = verifyOne(ref.pinned(digest.get()), chain);
            String buildType = chain.get(0).buildType();
            if (ENVIRONMENT_BUILD.equals(buildType)) {
                return new Verdict(chain, null, null, null, null);
            }
            if (!SCORING_BUILD.equals(buildType)) {
                throw new Failure(chain.get(0).image() + ": build type '" + buildType + "' is neither a scoring image's nor an environment image's");
            }
            Map<String, Object> model = dependency(statement, "model", chain.get(0).image().toString());
            Map<String, Object> environment = dependency(statement, "snapshot_image", chain.get(0).image().toString());
            String modelSha = String.valueOf(map(model.get("digest")).get("sha256"));
            if (!modelSha.matches("[0-9a-f]{64}")) {
                throw new Failure(chain.get(0).image() + ": the provenance names the model without a sha256");
            }
            ImageReference envImage = fromPurl(String.valueOf(environment.get("uri")), chain.get(0).image());
            verifyOne(envImage, chain);
            if (!ENVIRONMENT_BUILD.equals(chain.get(1).buildType())) {
                throw new Failure(envImage + " (the scoring image's environment): build type '" + chain.get(1).buildType()
                        + "', not " + ENVIRONMENT_BUILD);
            }
            String modelKey = modelProvenance == null ? null : verifyModel(modelProvenance, modelSha, envImage);
            return new Verdict(chain, modelSha, model.get("uri") == null ? null : String.valueOf(model.get("uri")), modelKey, null);
        } catch (Failure e) {
            return failed(chain, e.getMessage());
        }
    }

    private static Verdict failed(List<Link> chain, String problem) {
        return new Verdict(List.copyOf(chain), null, null, null, problem);
    }

    /** Checks {@code pinned}'s provenance; adds it to {@code chain} and returns the statement when it verifies. */
    private Map<String, Object> verifyOne(ImageReference pinned, List<Link> chain) {
        RegistryAttestations.Artifact artifact;
        try {
            artifact = RegistryAttestations.fetch(registry, pinned, RegistryAttestations.PROVENANCE_SUFFIX).orElseThrow(() -> new Failure(
                    pinned + ": no provenance attestation in the registry (no tag "
                            + RegistryAttestations.tag(pinned.digest().orElseThrow(), RegistryAttestations.PROVENANCE_SUFFIX) + ")"));
        } catch (RegistryAttestations.Malformed e) {
            throw new Failure(pinned + ": " + e.getMessage());
        }
        if (RegistryAttestations.IN_TOTO_MEDIA_TYPE.equals(artifact.mediaType())) {
            throw new Failure(pinned + ": the provenance is not signed (the stage ran without POWERAI_SIGNING_KEY)");
        }
        if (!RegistryAttestations.DSSE_MEDIA_TYPE.equals(artifact.mediaType())) {
            throw new Failure(pinned + ": the attestation's media type is '" + artifact.mediaType() + "', not " + RegistryAttestations.DSSE_MEDIA_TYPE);
        }
        Signed signed = openStatement(artifact.content(), pinned.toString());
        Map<String, Object> statement = signed.statement();
        String wanted = Provenance.strip(pinned.digest().orElseThrow());
        List<String> named = subjectDigests(statement);
        if (!named.contains("sha256:" + wanted)) {
            throw new Failure(pinned + ": subject digest mismatch: the provenance names " + (named.isEmpty() ? "no subject" : String.join(", ", named))
                    + ", the image is sha256:" + wanted);
        }
        Map<String, Object> predicate = map(statement.get("predicate"));
        String buildType = String.valueOf(map(predicate.get("buildDefinition")).get("buildType"));
        String builder = String.valueOf(map(map(predicate.get("runDetails")).get("builder")).get("id"));
        chain.add(new Link(pinned, signed.keyId(), buildType, builder));
        return statement;
    }

    /** The link model -> environment from the training's own provenance; the key that signed it. */
    private String verifyModel(java.nio.file.Path file, String modelSha, ImageReference envImage) {
        String name = "the model's provenance " + file;
        byte[] envelope;
        try {
            envelope = java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Failure(name + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        Signed signed = openStatement(envelope, name);
        Map<String, Object> statement = signed.statement();
        if (!subjectDigests(statement).contains("sha256:" + modelSha)) {
            throw new Failure(name + " does not name the model sha256:" + modelSha + " among its subjects (another training run?)");
        }
        Map<String, Object> trainedIn = dependency(statement, "image", name);
        String trainedDigest = "sha256:" + map(trainedIn.get("digest")).get("sha256");
        if (!trainedDigest.equals(envImage.digest().orElseThrow())) {
            throw new Failure(name + ": the model was trained in " + trainedIn.get("uri") + " (" + trainedDigest
                    + "), not in the environment image the scoring image was built on (" + envImage.digest().orElseThrow() + ")");
        }
        return signed.keyId();
    }

    /** A statement whose envelope verified with one of the keys, and which key that was. */
    private record Signed(Map<String, Object> statement, String keyId) {
    }

    /** The statement in an envelope's JSON once a key verified it and it is an in-toto Statement v1 of SLSA Provenance v1. */
    private Signed openStatement(byte[] envelopeJson, String who) {
        Map<String, Object> envelope;
        try {
            envelope = Json.parseObject(new String(envelopeJson, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(who + ": the DSSE envelope is not JSON (truncated?)");
        }
        Dsse.Opened opened = open(envelope);
        if (!opened.ok()) {
            throw new Failure(who + ": " + opened.problem());
        }
        Map<String, Object> statement;
        try {
            statement = Json.parseObject(new String(opened.payload(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(who + ": the signed payload is not a JSON statement");
        }
        if (!Provenance.STATEMENT_TYPE.equals(statement.get("_type"))) {
            throw new Failure(who + ": _type is '" + statement.get("_type") + "', not " + Provenance.STATEMENT_TYPE);
        }
        if (!Provenance.PREDICATE_TYPE.equals(statement.get("predicateType"))) {
            throw new Failure(who + ": unknown predicate type '" + statement.get("predicateType") + "', not " + Provenance.PREDICATE_TYPE);
        }
        return new Signed(statement, opened.keyId());
    }

    /** The digests a statement's subjects name, as {@code sha256:HEX}. */
    private static List<String> subjectDigests(Map<String, Object> statement) {
        List<String> named = new ArrayList<>();
        if (statement.get("subject") instanceof List<?> subjects) {
            for (Object o : subjects) {
                if (o instanceof Map<?, ?> s && s.get("digest") instanceof Map<?, ?> d) {
                    named.add("sha256:" + d.get("sha256"));
                }
            }
        }
        return named;
    }

    private Dsse.Opened open(Map<String, Object> envelope) {
        Dsse.Opened last = null;
        for (PublicKey key : keys) {
            last = Dsse.open(envelope, key);
            if (last.ok()) {
                return last;
            }
        }
        if (keys.size() > 1 && last.problem().startsWith("no signature verifies")) {
            List<String> ids = keys.stream().map(SigningKey::keyId).toList();
            String signedBy = last.problem().substring(last.problem().indexOf("(signed by"));
            return new Dsse.Opened(null, null, "no signature verifies with any of the " + keys.size() + " keys " + String.join(", ", ids) + " " + signedBy);
        }
        return last;
    }

    private static Map<String, Object> dependency(Map<String, Object> statement, String name, String whose) {
        Object deps = map(map(statement.get("predicate")).get("buildDefinition")).get("resolvedDependencies");
        if (deps instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> d && name.equals(d.get("name")) && d.get("digest") instanceof Map<?, ?>) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> found = (Map<String, Object>) d;
                    return found;
                }
            }
        }
        throw new Failure(whose + ": the provenance names no '" + name + "' by digest (the chain image -> model -> environment is broken)");
    }

    /** The image a {@code pkg:oci/NAME@sha256%3A...?repository_url=REGISTRY/REPO} purl names, pinned by its digest. */
    static ImageReference fromPurl(String purl, ImageReference namer) {
        int at = purl.indexOf('@');
        int query = purl.indexOf("?repository_url=");
        if (!purl.startsWith("pkg:oci/") || at < 0 || query < at) {
            throw new Failure(namer + ": the environment image is named by '" + purl + "', not an OCI purl with a repository_url");
        }
        String digest = URLDecoder.decode(purl.substring(at + 1, query), StandardCharsets.UTF_8);
        String repository = URLDecoder.decode(purl.substring(query + "?repository_url=".length()).split("&")[0], StandardCharsets.UTF_8);
        try {
            return ImageReference.parse(repository + "@" + digest);
        } catch (IllegalArgumentException e) {
            throw new Failure(namer + ": the environment image '" + repository + "@" + digest + "' is not an image reference: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Why the check stopped; becomes the verdict's problem. */
    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }
}
