package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.Builder;
import io.powerai.core.attest.Provenance;
import io.powerai.core.attest.SigningKey;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The page's provenance rows: what the core computed, with getters; the global keys' text parsed or its problem shown. */
class LineageProvenanceTest {
    @TempDir
    Path copy;

    @Test
    void rows_sayPerImageWhetherVerified_andWhoSigned() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String digest = "sha256:" + "ab".repeat(32);
        Json.writeAtomically(copy.resolve("amlEnvSnapshot.json"), Json.pretty(Map.of("status", "succeeded",
                "image", "127.0.0.1:5000/p-env@" + digest, "digest", digest)));
        SigningKey key = SigningKey.fromPem("-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n", "test");
        Instant t = Instant.parse("2026-12-07T02:00:00Z");
        new Attestor(Builder.local("h", "u"), key).write(copy, new Provenance.Build("amlEnvSnapshot", Map.of(), Map.of(), List.of(), t, t),
                List.of(new Provenance.Subject("127.0.0.1:5000/p-env", digest)), null);

        LineageProvenance verified = LineageProvenance.read(copy, SigningKey.publicKeyPem(pair.getPublic()));
        assertThat(verified.getKeysProblem()).isNull();
        LineageProvenance.Row env = verified.getRows().get(0);
        assertThat(env.getLabel()).isEqualTo("environment image");
        assertThat(env.getImage()).isEqualTo("127.0.0.1:5000/p-env@" + digest);
        assertThat(env.getStatus()).isEqualTo("verified");
        assertThat(env.getKeyId()).isEqualTo(SigningKey.keyId(pair.getPublic()));
        assertThat(verified.getRows().get(1).getStatus()).isEqualTo("none");

        LineageProvenance unchecked = LineageProvenance.read(copy, null);
        assertThat(unchecked.getRows().get(0).getStatus()).isEqualTo("signed (not checked)");
        LineageProvenance badKeys = LineageProvenance.read(copy, "not a key");
        assertThat(badKeys.getKeysProblem()).contains("the powerai global setting's allowed keys");
        assertThat(badKeys.getRows().get(0).getStatus()).isEqualTo("signed (not checked)");
    }

    @Test
    void theBuildCopiesTheProvenanceFiles_besideTheResults() {
        assertThat(LineageFiles.copied()).contains("amlEnvSnapshot.json", "scoringImage.json",
                "attestations/amlEnvSnapshot.dsse.json", "attestations/scoringImage.dsse.json", "attestations/scoringImage.intoto.json");
    }
}
