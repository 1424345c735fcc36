package io.powerai.core.attest;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Digests;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The user's signing key, held in memory only: parsed from the PEM (PKCS#8) text the face read from the file that
 * {@code POWERAI_SIGNING_KEY} names, never written anywhere. ECDSA P-256 signs SHA256withECDSA with DER-encoded
 * signatures (what securesystemslib and cosign verify); Ed25519 signs raw 64-byte signatures. The key id is the
 * SHA-256 of the public key's SubjectPublicKeyInfo (DER), so a verifier holding only the public key finds it.
 */
public final class SigningKey {
    /** Which kind of key, with the JCA signature algorithm it signs with. */
    public enum Kind {
        ECDSA_P256("SHA256withECDSA", "ecdsa-sha2-nistp256"),
        ED25519("Ed25519", "ed25519");

        final String jcaAlgorithm;
        /** The scheme name securesystemslib and in-toto give this kind of key. */
        public final String scheme;

        Kind(String jcaAlgorithm, String scheme) {
            this.jcaAlgorithm = jcaAlgorithm;
            this.scheme = scheme;
        }
    }

    private static final String RULE = "a PEM file holding one PKCS#8 private key ('-----BEGIN PRIVATE KEY-----'), ECDSA P-256 or Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Kind kind;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey, Kind kind) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.kind = kind;
    }

    /**
     * Parses {@code pem}; {@code source} names where it came from in errors (the variable and the path, never the text).
     * A key of another kind, an encrypted key or a PEM that is not a key is invalid input.
     */
    public static SigningKey fromPem(String pem, String source) {
        byte[] der = pemBody(pem, "PRIVATE KEY", source);
        PrivateKey key = null;
        Kind kind = null;
        for (Kind candidate : Kind.values()) {
            try {
                key = KeyFactory.getInstance(candidate == Kind.ED25519 ? "Ed25519" : "EC").generatePrivate(new PKCS8EncodedKeySpec(der));
                kind = candidate;
                break;
            } catch (GeneralSecurityException e) {
                // not this kind; try the next
            }
        }
        if (key == null) {
            throw invalid(source, "is not an ECDSA P-256 or Ed25519 private key");
        }
        if (key instanceof ECPrivateKey ec && !P256.isCurve(ec.getParams())) {
            throw invalid(source, "is an ECDSA key on another curve (" + ec.getParams().getCurve().getField().getFieldSize()
                    + " bits); only P-256 is supported");
        }
        Arrays.fill(der, (byte) 0);
        PublicKey publicKey = kind == Kind.ED25519 ? ed25519Public(key) : p256Public((ECPrivateKey) key);
        SigningKey signingKey = new SigningKey(key, publicKey, kind);
        signingKey.checkPair(source);
        return signingKey;
    }

    public Kind kind() {
        return kind;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Hex SHA-256 of the public key's DER encoding (SubjectPublicKeyInfo). */
    public String keyId() {
        return keyId(publicKey);
    }

    public static String keyId(PublicKey key) {
        return Digests.sha256(key.getEncoded());
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}), for verifiers. */
    public String publicKeyPem() {
        return publicKeyPem(publicKey);
    }

    public static String publicKeyPem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(kind.jcaAlgorithm);
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with the " + kind + " key failed: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM public key (SubjectPublicKeyInfo) of either kind; {@code source} names it in errors. */
    public static PublicKey publicKeyFromPem(String pem, String source) {
        byte[] der = pemBody(pem, "PUBLIC KEY", source);
        for (String algorithm : new String[] {"EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new java.security.spec.X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this kind; try the next
            }
        }
        throw invalid(source, "is not an ECDSA P-256 or Ed25519 public key");
    }

    /** Whether {@code signature} over {@code message} verifies with {@code key} (either kind). */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(key.getAlgorithm().equals("EC") ? Kind.ECDSA_P256.jcaAlgorithm : "Ed25519");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a malformed signature is a signature that does not verify
        }
    }

    @Override
    public String toString() {
        return kind + " key " + keyId(); // never the key itself
    }

    private void checkPair(String source) {
        byte[] probe = "powerai key check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(publicKey, probe, sign(probe))) {
            throw invalid(source, "could not be used: its derived public key does not verify its own signature");
        }
    }

    private static byte[] pemBody(String pem, String label, String source) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            String found = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key (decrypt it to PKCS#8 first)"
                    : pem.contains("EC PRIVATE KEY") ? "a SEC1 'EC PRIVATE KEY' (convert it: openssl pkcs8 -topk8 -nocrypt)"
                    : "no '" + begin + "' block";
            throw invalid(source, "holds " + found);
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw invalid(source, "has a PEM block that is not base64");
        }
    }

    private static PowerAiException.InvalidInput invalid(String source, String problem) {
        return new PowerAiException.InvalidInput(source + " " + problem + "; it must be " + RULE);
    }

    /**
     * Java's Ed25519 key pair generator draws the private key (the 32-byte seed) from its random source and derives
     * the public key from it: handing it the seed derives the public key of a key we hold. {@link #checkPair} proves it.
     */
    private static PublicKey ed25519Public(PrivateKey key) {
        byte[] seed = ((java.security.interfaces.EdECPrivateKey) key).getBytes().orElseThrow();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available in this Java: " + e.getMessage(), e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static PublicKey p256Public(ECPrivateKey key) {
        ECPoint q = P256.multiply(key.getS());
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, key.getParams()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the P-256 public key: " + e.getMessage(), e);
        }
    }

    /** P-256 (secp256r1) arithmetic in affine coordinates: enough to derive a public key once per run. */
    static final class P256 {
        static final BigInteger P = new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
        static final BigInteger A = P.subtract(BigInteger.valueOf(3));
        static final BigInteger GX = new BigInteger("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", 16);
        static final BigInteger GY = new BigInteger("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", 16);

        static boolean isCurve(ECParameterSpec params) {
            return params.getCurve().getField() instanceof java.security.spec.ECFieldFp fp && fp.getP().equals(P)
                    && params.getGenerator().getAffineX().equals(GX) && params.getGenerator().getAffineY().equals(GY);
        }

        static ECPoint multiply(BigInteger k) {
            ECPoint result = ECPoint.POINT_INFINITY;
            ECPoint addend = new ECPoint(GX, GY);
            for (int i = 0; i < k.bitLength(); i++) {
                if (k.testBit(i)) {
                    result = add(result, addend);
                }
                addend = add(addend, addend);
            }
            return result;
        }

        private static ECPoint add(ECPoint p, ECPoint q) {
            if (p == ECPoint.POINT_INFINITY) {
                return q;
            }
            if (q == ECPoint.POINT_INFINITY) {
                return p;
            }
            BigInteger lambda;
            if (p.getAffineX().equals(q.getAffineX())) {
                if (!p.getAffineY().equals(q.getAffineY()) || p.getAffineY().signum() == 0) {
                    return ECPoint.POINT_INFINITY;
                }
                BigInteger x = p.getAffineX();
                lambda = x.pow(2).multiply(BigInteger.valueOf(3)).add(A)
                        .multiply(p.getAffineY().shiftLeft(1).modInverse(P)).mod(P);
            } else {
                lambda = q.getAffineY().subtract(p.getAffineY())
                        .multiply(q.getAffineX().subtract(p.getAffineX()).modInverse(P)).mod(P);
            }
            BigInteger x = lambda.pow(2).subtract(p.getAffineX()).subtract(q.getAffineX()).mod(P);
            BigInteger y = lambda.multiply(p.getAffineX().subtract(x)).subtract(p.getAffineY()).mod(P);
            return new ECPoint(x, y);
        }
    }
}
