package io.powerai.cli;

import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.Builder;
import io.powerai.core.attest.Dsse;
import io.powerai.core.attest.Provenance;
import io.powerai.core.attest.Purl;
import io.powerai.core.attest.RegistryAttestations;
import io.powerai.core.attest.SigningKey;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.registry.RegistryClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attestations in the real Debian registry (distribution 2.8, no referrers API) under the tag fallback: two small
 * images pushed to repositories of their own on the shared registry (an environment image and a scoring image built
 * on it), their signed provenance and SBOM pushed next to them as OCI artifacts, fetched back byte for byte, and
 * {@code powerai verify IMAGE} over the chain, with each way it must fail as one line and its exit code.
 */
class RegistryAttestationsTest {
    private static final RegistryClient REGISTRY = new RegistryClient();
    private static final Instant T = Instant.parse("2026-12-07T02:00:00Z");

    @TempDir
    static Path tmp;
    static String prefix;
    static KeyPair ecdsa;
    static KeyPair ed25519;
    static Path publicKey;
    static Path otherKey;

    @BeforeAll
    static void keys() throws Exception {
        LocalInfrastructure.require();
        prefix = LocalInfrastructure.REGISTRY + "/attest-it-" + UUID.randomUUID().toString().substring(0, 8);
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        ecdsa = ec.generateKeyPair();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        publicKey = tmp.resolve("ecdsa.pub.pem");
        Files.writeString(publicKey, SigningKey.publicKeyPem(ecdsa.getPublic()));
        otherKey = tmp.resolve("ed25519.pub.pem");
        Files.writeString(otherKey, SigningKey.publicKeyPem(ed25519.getPublic()));
    }

    @Test
    void tagFallback_pushedFetchedBackAndVerified_downTheChain() throws Exception {
        ImageReference env = pushImage(prefix + "/env:v1", "environment");
        ImageReference score = pushImage(prefix + "/score:v1", "scoring");
        Path ws = workspace("chain");
        Map<String, String> pushedEnv = attest(ws, "amlEnvSnapshot", env, List.of(), signer(ecdsa), true);
        assertThat(pushedEnv.keySet()).containsExactly("provenance", "sbom");
        attest(ws, "scoringImage", score, scoringDeps(env), signer(ecdsa), true);

        // What the registry holds under sha256-<hex>.att: an OCI image manifest saying what it is, one layer, the image as subject.
        String hex = score.digest().orElseThrow().substring("sha256:".length());
        RegistryClient.Fetched manifest = REGISTRY.manifest(ImageReference.parse(prefix + "/score:sha256-" + hex + ".att")).orElseThrow();
        Map<String, Object> m = Json.parseObject(new String(manifest.bytes(), StandardCharsets.UTF_8));
        assertThat(m).containsEntry("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .containsEntry("artifactType", "application/vnd.dsse.envelope.v1+json");
        assertThat(map(m.get("config"))).containsEntry("mediaType", "application/vnd.oci.empty.v1+json");
        assertThat(map(m.get("subject"))).containsEntry("digest", score.digest().orElseThrow());
        assertThat(map(((List<?>) m.get("layers")).get(0))).containsEntry("mediaType", "application/vnd.dsse.envelope.v1+json");
        RegistryAttestations.Artifact att = RegistryAttestations.fetch(REGISTRY, score, ".att").orElseThrow();
        assertThat(att.content()).isEqualTo(Files.readAllBytes(ws.resolve("attestations/scoringImage.dsse.json")));
        RegistryAttestations.Artifact sbom = RegistryAttestations.fetch(REGISTRY, score, ".sbom").orElseThrow();
        assertThat(sbom.mediaType()).isEqualTo("application/vnd.cyclonedx+json");
        assertThat(sbom.content()).isEqualTo(Files.readAllBytes(ws.resolve("attestations/scoringImage.cdx.json")));

        CliRun ok = CliRun.of("verify", score.toString(), "--key", publicKey.toString());
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("verify: OK, " + score + " (signed by key " + SigningKey.keyId(ecdsa.getPublic()))
                .contains("-> model model.pkl sha256:" + "ab".repeat(32) + " -> environment " + env);
        // With the training's workspace: the model's own provenance names it and the environment image it was trained in.
        Provenance.Build training = new Provenance.Build("gpuTrain", Map.of(), Map.of(),
                List.of(Provenance.Dependency.sha256("image", Purl.oci(env), env.digest().orElseThrow())), T, T);
        new Attestor(Builder.local("test-host", "tester"), signer(ecdsa)).write(ws, training,
                List.of(new Provenance.Subject("outputs/model.pkl", "ab".repeat(32))), null);
        CliRun withModel = CliRun.of("verify", score.toString(), "--key", publicKey.toString(), "--workspace", ws.getParent().toString());
        assertThat(withModel.exitCode()).as(withModel.toString()).isZero();
        assertThat(withModel.out()).contains("sha256:" + "ab".repeat(32) + " (its provenance signed by key " + SigningKey.keyId(ecdsa.getPublic())
                + ", trained in that environment) -> environment " + env);
        new Attestor(Builder.local("test-host", "tester"), signer(ecdsa)).write(ws, training,
                List.of(new Provenance.Subject("outputs/model.pkl", "cd".repeat(32))), null);
        CliRun.of("verify", score.toString(), "--key", publicKey.toString(), "--workspace", ws.getParent().toString())
                .assertOneLineError(1, "gpuTrain.dsse.json does not name the model sha256:" + "ab".repeat(32));
        CliRun.of("verify", score.toString(), "--key", publicKey.toString(), "--workspace", tmp.resolve("nowhere").toString())
                .assertOneLineError(2, "verify: '--workspace'", "holds no signed model provenance");

        // By tag too, and with several keys of which one signed.
        CliRun byTag = CliRun.of("verify", prefix + "/score:v1", "--key", otherKey.toString(), "--key", publicKey.toString());
        assertThat(byTag.exitCode()).as(byTag.toString()).isZero();
    }

    @Test
    void eachWayToFail_isOneLine_exit1_andBadInput2_unreachable3() throws Exception {
        ImageReference env = pushImage(prefix + "/fail-env:v1", "environment-2");
        Path ws = workspace("fail");
        attest(ws, "amlEnvSnapshot", env, List.of(), signer(ecdsa), true);

        // Wrong key.
        CliRun.of("verify", env.toString(), "--key", otherKey.toString())
                .assertOneLineError(1, "verify: FAILED, " + env + ": no signature verifies with key " + SigningKey.keyId(ed25519.getPublic()));
        // Missing attestation.
        ImageReference bare = pushImage(prefix + "/bare:v1", "bare");
        CliRun.of("verify", bare.toString(), "--key", publicKey.toString())
                .assertOneLineError(1, bare + ": no provenance attestation in the registry (no tag sha256-");
        // Tampered payload: the statement changed after signing.
        Path envelopeFile = ws.resolve("attestations/amlEnvSnapshot.dsse.json");
        Map<String, Object> envelope = Json.readObject(envelopeFile);
        String payload = new String(Base64.getDecoder().decode((String) envelope.get("payload")), StandardCharsets.UTF_8);
        envelope.put("payload", Base64.getEncoder().encodeToString(payload.replace("powerai", "p0werai").getBytes(StandardCharsets.UTF_8)));
        republish(ws, env, Json.pretty(envelope));
        CliRun.of("verify", env.toString(), "--key", publicKey.toString()).assertOneLineError(1, "no signature verifies with key");
        // Truncated envelope.
        String whole = Files.readString(envelopeFile);
        attest(ws, "amlEnvSnapshot", env, List.of(), signer(ecdsa), true);
        republish(ws, env, Files.readString(envelopeFile).substring(0, 120));
        CliRun.of("verify", env.toString(), "--key", publicKey.toString()).assertOneLineError(1, "the DSSE envelope is not JSON (truncated?)");
        // Subject digest mismatch: a good signature over a statement about another image.
        ImageReference other = pushImage(prefix + "/fail-other:v1", "other");
        Map<String, Object> aboutOther = statement(other, "amlEnvSnapshot", List.of(), Provenance.PREDICATE_TYPE);
        republish(ws, env, Json.pretty(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Json.canonicalBytes(aboutOther), signer(ecdsa))));
        CliRun.of("verify", env.toString(), "--key", publicKey.toString())
                .assertOneLineError(1, "subject digest mismatch: the provenance names " + other.digest().orElseThrow() + ", the image is " + env.digest().orElseThrow());
        // Unknown predicate type.
        Map<String, Object> unknown = statement(env, "amlEnvSnapshot", List.of(), "https://example.org/predicate/v9");
        republish(ws, env, Json.pretty(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Json.canonicalBytes(unknown), signer(ecdsa))));
        CliRun.of("verify", env.toString(), "--key", publicKey.toString())
                .assertOneLineError(1, "unknown predicate type 'https://example.org/predicate/v9'");
        assertThat(whole).isNotEmpty();

        // A scoring image whose environment image's provenance does not verify: the chain fails at that link.
        ImageReference score = pushImage(prefix + "/fail-score:v1", "scoring-2");
        attest(ws, "scoringImage", score, scoringDeps(env), signer(ecdsa), true);
        CliRun.of("verify", score.toString(), "--key", publicKey.toString())
                .assertOneLineError(1, "verify: FAILED, " + env + ": unknown predicate type");

        // Bad input: not a reference, not a key. Unreachable registry: 3.
        CliRun.of("verify", "127.0.0.1:5000/UPPER:x", "--key", publicKey.toString()).assertOneLineError(2, "verify: IMAGE '127.0.0.1:5000/UPPER:x'");
        CliRun.of("verify", env.toString(), "--key", tmp.resolve("none.pem").toString()).assertOneLineError(2, "verify: '--key'", "no such file");
        int port = LocalInfrastructure.freePort();
        CliRun.of("verify", "127.0.0.1:" + port + "/x/y:v1", "--key", publicKey.toString()).assertOneLineError(3, "registry 127.0.0.1:" + port + " is unreachable");
    }

    @Test
    void anUnsignedStatement_isPushedAsSuch_butNeverReplacesASignedOne() throws Exception {
        ImageReference unsignedImage = pushImage(prefix + "/unsigned:v1", "unsigned");
        Path ws = workspace("unsigned");
        attest(ws, "amlEnvSnapshot", unsignedImage, List.of(), null, true);
        assertThat(RegistryAttestations.fetch(REGISTRY, unsignedImage, ".att").orElseThrow().mediaType()).isEqualTo("application/vnd.in-toto+json");
        CliRun.of("verify", unsignedImage.toString(), "--key", publicKey.toString())
                .assertOneLineError(1, unsignedImage + ": the provenance is not signed");

        ImageReference signed = pushImage(prefix + "/signed-then-not:v1", "signed");
        attest(ws, "amlEnvSnapshot", signed, List.of(), signer(ecdsa), true);
        String first = RegistryAttestations.fetch(REGISTRY, signed, ".att").orElseThrow().reference();
        assertThat(attest(ws, "amlEnvSnapshot", signed, List.of(), null, true)).as("nothing pushed").isEmpty();
        assertThat(RegistryAttestations.fetch(REGISTRY, signed, ".att").orElseThrow().mediaType()).isEqualTo("application/vnd.dsse.envelope.v1+json");
        assertThat(CliRun.of("verify", signed.toString(), "--key", publicKey.toString()).exitCode()).isZero();
        // Run again with the same key (a reused snapshot): what is there stays, so no push rights are needed.
        assertThat(attest(ws, "amlEnvSnapshot", signed, List.of(), signer(ecdsa), true)).as("nothing pushed").isEmpty();
        assertThat(RegistryAttestations.fetch(REGISTRY, signed, ".att").orElseThrow().reference()).isEqualTo(first);
        // With another key, the new signature replaces the old one.
        assertThat(attest(ws, "amlEnvSnapshot", signed, List.of(), signer(ed25519), true)).containsOnlyKeys("provenance");
        assertThat(CliRun.of("verify", signed.toString(), "--key", otherKey.toString()).exitCode()).isZero();
    }

    /** Pushes a one-layer image (an OCI manifest of a config and a layer of {@code content}) and returns it by digest. */
    static ImageReference pushImage(String reference, String content) {
        ImageReference ref = ImageReference.parse(reference);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"comment\":\""
                + content + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = content.getBytes(StandardCharsets.UTF_8);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", REGISTRY.pushBlob(ref, config), "size", config.length));
        manifest.put("layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar", "digest", REGISTRY.pushBlob(ref, layer), "size", layer.length)));
        String digest = REGISTRY.pushManifest(ref, ref.tagOrLatest(), "application/vnd.oci.image.manifest.v1+json", Json.canonicalBytes(manifest));
        assertThat(REGISTRY.digest(ref)).contains(digest);
        return ref.pinned(digest);
    }

    private static Path workspace(String name) throws Exception {
        return Files.createDirectories(tmp.resolve(name).resolve(".powerai"));
    }

    static SigningKey signer(KeyPair pair) {
        return SigningKey.fromPem("-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n", "test key");
    }

    static List<Provenance.Dependency> scoringDeps(ImageReference env) {
        return List.of(Provenance.Dependency.sha256("snapshot_image", Purl.oci(env), env.digest().orElseThrow()),
                Provenance.Dependency.sha256("model", "model.pkl", "ab".repeat(32)));
    }

    /** Writes {@code stage}'s attestations for {@code image} as the stages do (with an SBOM when asked) and pushes them. */
    static Map<String, String> attest(Path ws, String stage, ImageReference image, List<Provenance.Dependency> deps,
                                              SigningKey key, boolean sbom) {
        Provenance.Build build = new Provenance.Build(stage, Map.of(), Map.of(), deps, T, T.plusSeconds(1));
        new Attestor(Builder.local("test-host", "tester"), key).write(ws, build,
                List.of(new Provenance.Subject(image.name(), image.digest().orElseThrow())),
                sbom ? Map.of("bomFormat", "CycloneDX", "specVersion", "1.5", "version", 1) : null);
        return RegistryAttestations.publish(REGISTRY, image, ws, stage);
    }

    /** Replaces the image's provenance in the registry with {@code envelopeText}, whatever is there. */
    private static void republish(Path ws, ImageReference image, String envelopeText) throws Exception {
        Files.writeString(ws.resolve("attestations/amlEnvSnapshot.dsse.json"), envelopeText);
        RegistryAttestations.put(REGISTRY, image, ".att", "application/vnd.dsse.envelope.v1+json",
                envelopeText.getBytes(StandardCharsets.UTF_8), "amlEnvSnapshot.dsse.json");
    }

    private static Map<String, Object> statement(ImageReference subject, String stage, List<Provenance.Dependency> deps, String predicateType) {
        Map<String, Object> s = new LinkedHashMap<>(Provenance.statement(List.of(new Provenance.Subject(subject.name(), subject.digest().orElseThrow())),
                new Provenance.Build(stage, Map.of(), Map.of(), deps, T, T), Builder.local("h", "u"), "urn:uuid:test"));
        s.put("predicateType", predicateType);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
