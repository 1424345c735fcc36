package io.powerai.core.attest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DsseTest {
    private static final byte[] PAYLOAD = "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void pae_isTheSpecsEncoding() {
        // The DSSE protocol's own example: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
        assertThat(new String(Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void pae_countsBytesNotCharacters() {
        assertThat(new String(Dsse.pae("t", "é".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
    }

    @Test
    void signThenOpen_bothKeyKinds() {
        for (KeyPair pair : List.of(TestKeys.p256(), TestKeys.ed25519())) {
            SigningKey key = TestKeys.signingKey(pair);
            Map<String, Object> envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, PAYLOAD, key);
            assertThat(envelope).containsEntry("payloadType", "application/vnd.in-toto+json")
                    .containsEntry("payload", Base64.getEncoder().encodeToString(PAYLOAD));
            Dsse.Opened opened = Dsse.open(envelope, pair.getPublic());
            assertThat(opened.problem()).isNull();
            assertThat(opened.payload()).isEqualTo(PAYLOAD);
            assertThat(opened.keyId()).isEqualTo(key.keyId());
        }
    }

    @Test
    void open_wrongKey_tamperedPayload_noSignature_otherType_fail() {
        KeyPair pair = TestKeys.ed25519();
        Map<String, Object> envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, PAYLOAD, TestKeys.signingKey(pair));

        assertThat(Dsse.open(envelope, TestKeys.ed25519().getPublic()).problem()).startsWith("no signature verifies with key");

        Map<String, Object> tampered = new LinkedHashMap<>(envelope);
        tampered.put("payload", Base64.getEncoder().encodeToString("{\"_type\":\"other\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(Dsse.open(tampered, pair.getPublic()).ok()).isFalse();

        Map<String, Object> unsigned = new LinkedHashMap<>(envelope);
        unsigned.put("signatures", List.of());
        assertThat(Dsse.open(unsigned, pair.getPublic()).problem()).isEqualTo("the envelope has no signature");

        Map<String, Object> otherType = new LinkedHashMap<>(envelope);
        otherType.put("payloadType", "text/plain");
        assertThat(Dsse.open(otherType, pair.getPublic()).problem()).contains("payloadType is 'text/plain'");

        assertThat(Dsse.open(Map.of("payload", "x"), pair.getPublic()).problem()).startsWith("not a DSSE envelope");
    }
}
