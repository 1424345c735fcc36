package io.powerai.core.attest;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AttestorTest {
    private static final Instant FINISHED = Instant.parse("2026-12-06T23:00:05Z");
    private static final Builder LOCAL = Builder.local("build-host", "ana");

    private static Provenance.Build build() {
        return new Provenance.Build("scoringImage", Map.of("model", "model.joblib"), Map.of("imageTag", "t"),
                List.of(Provenance.Dependency.sha256("model", "model.joblib", "aa".repeat(32))), FINISHED.minusSeconds(5), FINISHED);
    }

    private static List<Provenance.Subject> subjects() {
        return List.of(new Provenance.Subject("127.0.0.1:5000/demo-score", Fixtures.SCORE_DIGEST));
    }

    @Test
    void withoutKey_writesTheStatementUnsigned_andSaysSo(@TempDir Path ws) throws Exception {
        Attestor.Written written = Attestor.unsigned(LOCAL).write(ws, build(), subjects(), Map.of("bomFormat", "CycloneDX"));
        assertThat(written.signed()).isFalse();
        assertThat(written.toJson()).containsEntry("signed", false).doesNotContainKey("keyId");
        assertThat(written.files()).containsOnlyKeys("attestations/scoringImage.cdx.json", "attestations/scoringImage.intoto.json");
        written.files().forEach((file, sha) -> assertThat(Digests.sha256(ws.resolve(file))).isEqualTo(sha));
        Map<String, Object> statement = Json.readObject(ws.resolve("attestations/scoringImage.intoto.json"));
        assertThat(statement).containsEntry("_type", "https://in-toto.io/Statement/v1")
                .containsEntry("predicateType", "https://slsa.dev/provenance/v1");
        assertThat(statement.get("subject")).isEqualTo(List.of(Map.of("name", "127.0.0.1:5000/demo-score",
                "digest", Map.of("sha256", "5e".repeat(32)))));
        assertThat(Files.exists(ws.resolve("attestations/scoringImage.dsse.json"))).isFalse();
    }

    @Test
    void withKey_writesASignedEnvelope_replacingAnUnsignedStatement(@TempDir Path ws) throws Exception {
        Attestor.unsigned(LOCAL).write(ws, build(), subjects(), null);
        KeyPair pair = TestKeys.p256();
        SigningKey key = TestKeys.signingKey(pair);
        Attestor.Written written = new Attestor(LOCAL, key).write(ws, build(), subjects(), null);
        assertThat(written.toJson()).containsEntry("signed", true).containsEntry("keyId", key.keyId());
        assertThat(written.files()).containsOnlyKeys("attestations/scoringImage.dsse.json");
        assertThat(Files.exists(ws.resolve("attestations/scoringImage.intoto.json"))).isFalse();
        Map<String, Object> envelope = Json.readObject(ws.resolve("attestations/scoringImage.dsse.json"));
        Dsse.Opened opened = Dsse.open(envelope, pair.getPublic());
        assertThat(opened.ok()).isTrue();
        Map<String, Object> statement = Json.parseObject(new String(opened.payload(), StandardCharsets.UTF_8));
        assertThat(statement).containsEntry("predicateType", Provenance.PREDICATE_TYPE);
        // The key itself is nowhere in what was written.
        String privateBody = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
        for (Path f : Files.list(ws.resolve("attestations")).toList()) {
            assertThat(Files.readString(f)).doesNotContain(privateBody.substring(0, 40));
        }
    }

    @Test
    void provenance_hasTheSlsaV1Fields_andTheBuilder(@TempDir Path ws) throws Exception {
        Attestor.unsigned(Builder.jenkins("ml/demo", "https://ci.example.org/job/ml/job/demo/42/")).write(ws, build(), subjects(), null);
        Map<String, Object> predicate = map(Json.readObject(ws.resolve("attestations/scoringImage.intoto.json")).get("predicate"));
        Map<String, Object> definition = map(predicate.get("buildDefinition"));
        assertThat(definition).containsEntry("buildType", "urn:powerai:buildtype:scoringImage:v1")
                .containsKeys("externalParameters", "internalParameters", "resolvedDependencies");
        Map<String, Object> run = map(predicate.get("runDetails"));
        assertThat(map(run.get("builder"))).containsEntry("id", "https://ci.example.org/job/ml/job/demo/");
        assertThat(map(run.get("metadata"))).containsEntry("invocationId", "https://ci.example.org/job/ml/job/demo/42/#scoringImage")
                .containsEntry("startedOn", "2026-12-06T23:00:00Z").containsEntry("finishedOn", "2026-12-06T23:00:05Z");
    }

    @Test
    void sameInputs_sameBytes(@TempDir Path a, @TempDir Path b) {
        assertThat(Attestor.unsigned(LOCAL).write(a, build(), subjects(), null).files())
                .isEqualTo(Attestor.unsigned(LOCAL).write(b, build(), subjects(), null).files());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
