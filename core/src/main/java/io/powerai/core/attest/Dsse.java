package io.powerai.core.attest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DSSE (Dead Simple Signing Envelope) v1: the signature covers the pre-authentication encoding
 * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body} (lengths in ASCII decimal), never the JSON around it.
 */
public final class Dsse {
    public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

    private Dsse() {
    }

    /** The pre-authentication encoding of {@code payload} of {@code payloadType}. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** An envelope of {@code payload} signed with {@code key}: {payloadType, payload (base64), signatures [{keyid, sig}]}. */
    public static Map<String, Object> sign(String payloadType, byte[] payload, SigningKey key) {
        Map<String, Object> signature = new LinkedHashMap<>();
        signature.put("keyid", key.keyId());
        signature.put("sig", Base64.getEncoder().encodeToString(key.sign(pae(payloadType, payload))));
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("payloadType", payloadType);
        envelope.put("payload", Base64.getEncoder().encodeToString(payload));
        envelope.put("signatures", List.of(signature));
        return envelope;
    }

    /** What {@link #open} found: the payload when a signature verified, else why not. */
    public record Opened(byte[] payload, String keyId, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Checks an envelope read from JSON: its shape, then each signature with {@code key} over the PAE; the payload
     * comes back only when one verifies.
     */
    public static Opened open(Map<String, Object> envelope, PublicKey key) {
        if (!(envelope.get("payloadType") instanceof String type) || !(envelope.get("payload") instanceof String encoded)
                || !(envelope.get("signatures") instanceof List<?> signatures)) {
            return new Opened(null, null, "not a DSSE envelope (it needs payloadType, payload and signatures)");
        }
        if (!IN_TOTO_PAYLOAD_TYPE.equals(type)) {
            return new Opened(null, null, "payloadType is '" + type + "', not " + IN_TOTO_PAYLOAD_TYPE);
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return new Opened(null, null, "the payload is not base64");
        }
        if (signatures.isEmpty()) {
            return new Opened(null, null, "the envelope has no signature");
        }
        byte[] pae = pae(type, payload);
        String wanted = SigningKey.keyId(key);
        List<String> seen = new ArrayList<>();
        for (Object o : signatures) {
            if (o instanceof Map<?, ?> s && s.get("sig") instanceof String sig) {
                seen.add(String.valueOf(s.get("keyid")));
                try {
                    if (SigningKey.verify(key, pae, Base64.getDecoder().decode(sig))) {
                        return new Opened(payload, wanted, null);
                    }
                } catch (IllegalArgumentException e) {
                    // a sig that is not base64 does not verify
                }
            }
        }
        return new Opened(null, null, "no signature verifies with key " + wanted + " (signed by " + String.join(", ", seen) + ")");
    }
}
