package io.powerai.core.attest;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The lineage page's provenance rows, from a .powerai folder's results and attestation files. */
class ImageProvenanceTest {
    private static final Instant T = Instant.parse("2026-12-07T02:00:00Z");
    private final KeyPair signer = TestKeys.ed25519();
    private final KeyPair other = TestKeys.p256();

    @TempDir
    Path ws;

    @Test
    void eachImage_verifiedWithAnAllowedKey_orSaysWhyNot_withTheSignersKeyId() throws Exception {
        result("amlEnvSnapshot", Fixtures.IMAGE_DIGEST);
        attest("amlEnvSnapshot", Fixtures.IMAGE_DIGEST, signer);
        result("scoringImage", Fixtures.SCORE_DIGEST);
        attest("scoringImage", Fixtures.SCORE_DIGEST, null);
        String keyId = SigningKey.keyId(signer.getPublic());

        List<ImageProvenance.Row> rows = ImageProvenance.read(ws, List.of(other.getPublic(), signer.getPublic()));
        assertThat(rows).extracting(ImageProvenance.Row::stage, ImageProvenance.Row::status, ImageProvenance.Row::keyId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("amlEnvSnapshot", ImageProvenance.Status.VERIFIED, keyId),
                org.assertj.core.groups.Tuple.tuple("scoringImage", ImageProvenance.Status.UNSIGNED, null));

        ImageProvenance.Row wrongKey = ImageProvenance.read(ws, List.of(other.getPublic())).get(0);
        assertThat(wrongKey.status()).isEqualTo(ImageProvenance.Status.FAILED);
        assertThat(wrongKey.keyId()).isEqualTo(keyId);
        assertThat(wrongKey.message()).isEqualTo("no signature verifies with an allowed key");
        ImageProvenance.Row noKeys = ImageProvenance.read(ws, List.of()).get(0);
        assertThat(noKeys.status()).isEqualTo(ImageProvenance.Status.SIGNED_NOT_CHECKED);
        assertThat(noKeys.keyId()).isEqualTo(keyId);

        // The result now records another image than the one the provenance names.
        result("amlEnvSnapshot", "sha256:" + "0f".repeat(32));
        ImageProvenance.Row moved = ImageProvenance.read(ws, List.of(signer.getPublic())).get(0);
        assertThat(moved.status()).isEqualTo(ImageProvenance.Status.FAILED);
        assertThat(moved.message()).startsWith("subject digest mismatch");
        // A truncated envelope.
        Path envelope = ws.resolve("attestations/amlEnvSnapshot.dsse.json");
        Files.writeString(envelope, Files.readString(envelope).substring(0, 40));
        assertThat(ImageProvenance.read(ws, List.of(signer.getPublic())).get(0).message()).contains("not JSON (truncated?)");
    }

    @Test
    void noResults_twoImagesWithoutProvenance() {
        assertThat(ImageProvenance.read(ws, List.of())).extracting(ImageProvenance.Row::status)
                .containsExactly(ImageProvenance.Status.NONE, ImageProvenance.Status.NONE);
    }

    private void result(String stage, String digest) {
        Json.writeAtomically(ws.resolve(stage + ".json"), Json.pretty(Map.of("stage", stage, "status", "succeeded",
                "image", "127.0.0.1:5000/p@" + digest, "digest", digest)));
    }

    private void attest(String stage, String digest, KeyPair key) {
        SigningKey signing = key == null ? null : TestKeys.signingKey(key);
        new Attestor(Builder.local("h", "u"), signing).write(ws, new Provenance.Build(stage, Map.of(), Map.of(), List.of(), T, T),
                List.of(new Provenance.Subject("127.0.0.1:5000/p", digest)), null);
    }
}
