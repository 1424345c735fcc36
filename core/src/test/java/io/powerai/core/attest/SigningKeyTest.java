package io.powerai.core.attest;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigningKeyTest {
    private static final byte[] MESSAGE = "a statement".getBytes(StandardCharsets.UTF_8);

    @Test
    void fromPem_p256_derivesThePublicKeyOfThePair() {
        KeyPair pair = TestKeys.p256();
        SigningKey key = TestKeys.signingKey(pair);
        assertThat(key.kind()).isEqualTo(SigningKey.Kind.ECDSA_P256);
        assertThat(key.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        assertThat(key.keyId()).isEqualTo(SigningKey.keyId(pair.getPublic())).hasSize(64);
        assertThat(SigningKey.verify(pair.getPublic(), MESSAGE, key.sign(MESSAGE))).isTrue();
    }

    @Test
    void fromPem_ed25519_derivesThePublicKeyOfThePair() {
        KeyPair pair = TestKeys.ed25519();
        SigningKey key = TestKeys.signingKey(pair);
        assertThat(key.kind()).isEqualTo(SigningKey.Kind.ED25519);
        assertThat(key.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        byte[] signature = key.sign(MESSAGE);
        assertThat(signature).hasSize(64);
        assertThat(SigningKey.verify(pair.getPublic(), MESSAGE, signature)).isTrue();
    }

    @Test
    void p256Signature_isDerEncoded() {
        byte[] signature = TestKeys.signingKey(TestKeys.p256()).sign(MESSAGE);
        // DER: SEQUENCE { INTEGER r, INTEGER s }, not the 64-byte r||s that some JOSE tools use
        assertThat(signature[0]).isEqualTo((byte) 0x30);
        assertThat(signature[1] & 0xff).isEqualTo(signature.length - 2);
    }

    @Test
    void fromPem_rsaKey_isInvalidInputNamingTheSourceAndTheRule() {
        assertThatThrownBy(() -> SigningKey.fromPem(TestKeys.privatePem(TestKeys.generate("RSA")), "POWERAI_SIGNING_KEY (/k.pem)"))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("POWERAI_SIGNING_KEY (/k.pem)")
                .hasMessageContaining("not an ECDSA P-256 or Ed25519 private key")
                .hasMessageContaining("PKCS#8");
    }

    @Test
    void fromPem_p384Key_isRefusedAsAnotherCurve() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        assertThatThrownBy(() -> SigningKey.fromPem(TestKeys.privatePem(generator.generateKeyPair()), "k"))
                .isInstanceOf(PowerAiException.InvalidInput.class).hasMessageContaining("only P-256");
    }

    @Test
    void fromPem_sec1OrEncryptedOrGarbage_saysWhatItFound() {
        assertThatThrownBy(() -> SigningKey.fromPem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "k"))
                .hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> SigningKey.fromPem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "k"))
                .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> SigningKey.fromPem("hello", "k")).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("no '-----BEGIN PRIVATE KEY-----' block");
    }

    @Test
    void toStringAndErrors_neverShowTheKey() {
        KeyPair pair = TestKeys.ed25519();
        String pem = TestKeys.privatePem(pair);
        String body = pem.lines().skip(1).findFirst().orElseThrow();
        assertThat(TestKeys.signingKey(pair).toString()).doesNotContain(body).contains("ED25519");
        String broken = pem.replace(body, body.substring(0, 24)); // a key cut short
        assertThatThrownBy(() -> SigningKey.fromPem(broken, "k")).satisfies(e -> assertThat(e.getMessage()).doesNotContain(body));
    }

    @Test
    void publicKeyFromPem_readsWhatPublicKeyPemWrites() {
        SigningKey key = TestKeys.signingKey(TestKeys.p256());
        assertThat(SigningKey.publicKeyFromPem(key.publicKeyPem(), "pub").getEncoded()).isEqualTo(key.publicKey().getEncoded());
    }
}
