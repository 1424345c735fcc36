package io.powerai.core.attest;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AttestationCheckTest {
    private static final Builder LOCAL = Builder.local("h", "u");
    private final KeyPair pair = TestKeys.ed25519();
    private final SigningKey key = TestKeys.signingKey(pair);
    @TempDir
    Path ws;

    private static Provenance.Build build(String stage) {
        return new Provenance.Build(stage, Map.of(), Map.of(), List.of(), Instant.EPOCH, Instant.EPOCH.plusSeconds(1));
    }

    @BeforeEach
    void twoSignedStages() throws Exception {
        Attestor attestor = new Attestor(LOCAL, key);
        Attestor.Written env = attestor.write(ws, build("amlEnvSnapshot"),
                List.of(new Provenance.Subject("127.0.0.1:5000/demo-env", Fixtures.IMAGE_DIGEST)), Sbom.environment(Fixtures.manifest()));
        result("amlEnvSnapshot", Map.of("image", "127.0.0.1:5000/demo-env@" + Fixtures.IMAGE_DIGEST, "digest", Fixtures.IMAGE_DIGEST,
                "attestations", env.toJson()));
        Path outputs = Files.createDirectories(ws.resolve("train/outputs"));
        Files.writeString(outputs.resolve("model.pkl"), "weights");
        Attestor.Written model = attestor.write(ws, build("gpuTrain"),
                List.of(new Provenance.Subject("outputs/model.pkl", Digests.sha256("weights"))), null);
        result("gpuTrain", Map.of("outputsDir", "train/outputs", "attestations", model.toJson()));
    }

    private void result(String stage, Map<String, Object> fields) {
        Map<String, Object> result = new LinkedHashMap<>(fields);
        result.put("status", "succeeded");
        Json.writeAtomically(ws.resolve(stage + ".json"), Json.pretty(result));
    }

    @Test
    void intact_everyStageVerifies() {
        assertThat(AttestationCheck.check(ws, pair.getPublic())).extracting(AttestationCheck.Finding::ok).containsExactly(true, true);
        assertThat(AttestationCheck.check(ws, pair.getPublic()).get(1).message()).contains("key " + key.keyId()).contains("outputs/model.pkl");
    }

    @Test
    void wrongKey_fails() {
        assertThat(AttestationCheck.check(ws, TestKeys.ed25519().getPublic()))
                .allSatisfy(f -> assertThat(f.message()).contains("no signature verifies with key"));
    }

    @Test
    void aChangedModel_isASubjectDigestMismatch() throws Exception {
        Files.writeString(ws.resolve("train/outputs/model.pkl"), "other weights");
        AttestationCheck.Finding training = AttestationCheck.check(ws, pair.getPublic()).get(1);
        assertThat(training.ok()).isFalse();
        assertThat(training.message()).startsWith("subject digest mismatch");
    }

    @Test
    void aResultNamingAnotherImage_isASubjectDigestMismatch() {
        String other = "sha256:" + "01".repeat(32);
        result("amlEnvSnapshot", Map.of("image", "127.0.0.1:5000/demo-env@" + other, "digest", other,
                "attestations", readResult("amlEnvSnapshot").get("attestations")));
        assertThat(AttestationCheck.check(ws, pair.getPublic()).get(0).message()).startsWith("subject digest mismatch");
    }

    @Test
    void aTamperedOrTruncatedEnvelope_fails() throws Exception {
        Path envelope = ws.resolve("attestations/gpuTrain.dsse.json");
        String text = Files.readString(envelope);
        Files.writeString(envelope, text.substring(0, text.length() / 2));
        assertThat(AttestationCheck.check(ws, pair.getPublic()).get(1).message())
                .isEqualTo("attestations/gpuTrain.dsse.json changed since the stage wrote it (SHA-256 differs from the result's)");
    }

    @Test
    void anUnknownPredicateType_fails_evenWhenSignedAndListed() throws Exception {
        Map<String, Object> statement = Provenance.statement(List.of(new Provenance.Subject("outputs/model.pkl", Digests.sha256("weights"))),
                build("gpuTrain"), LOCAL, "i");
        statement.put("predicateType", "https://example.org/other/v1");
        String envelope = Json.pretty(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Json.canonicalBytes(statement), key)) + "\n";
        Files.writeString(ws.resolve("attestations/gpuTrain.dsse.json"), envelope);
        result("gpuTrain", Map.of("outputsDir", "train/outputs", "attestations",
                new Attestor.Written(Map.of("attestations/gpuTrain.dsse.json", Digests.sha256(envelope)), true, key.keyId()).toJson()));
        assertThat(AttestationCheck.check(ws, pair.getPublic()).get(1).message()).startsWith("unknown predicate type 'https://example.org/other/v1'");
    }

    @Test
    void unsigned_isNotVerified() {
        Attestor.Written unsigned = Attestor.unsigned(LOCAL).write(ws, build("gpuTrain"),
                List.of(new Provenance.Subject("outputs/model.pkl", Digests.sha256("weights"))), null);
        result("gpuTrain", Map.of("outputsDir", "train/outputs", "attestations", unsigned.toJson()));
        assertThat(AttestationCheck.check(ws, pair.getPublic()).get(1).message()).startsWith("not signed");
    }

    @Test
    void outputsDirOutsideTheWorkspace_neverMatches() {
        Map<String, Object> attestations = readResult("gpuTrain");
        result("gpuTrain", Map.of("outputsDir", "../..", "attestations", attestations.get("attestations")));
        assertThat(AttestationCheck.check(ws, pair.getPublic()).get(1).ok()).isFalse();
    }

    private Map<String, Object> readResult(String stage) {
        try {
            return Json.readObject(ws.resolve(stage + ".json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
