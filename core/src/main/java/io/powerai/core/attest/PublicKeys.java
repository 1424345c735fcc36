package io.powerai.core.attest;

import io.powerai.core.PowerAiException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/** Verifiers' public keys: one PEM file each, or several PEM blocks in one text (the plugin's global setting). */
public final class PublicKeys {
    private static final String END = "-----END PUBLIC KEY-----";

    private PublicKeys() {
    }

    /** The key in {@code file}; {@code source} names it in the one-line error (invalid input) when it is none. */
    public static PublicKey fromFile(Path file, String source) {
        if (!Files.isRegularFile(file)) {
            throw new PowerAiException.InvalidInput(source + " must be a readable PEM public key file; no such file");
        }
        try {
            return SigningKey.publicKeyFromPem(Files.readString(file, StandardCharsets.US_ASCII), source);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(source + " must be a readable PEM public key file; cannot read it ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Every {@code PUBLIC KEY} block of {@code text}, in order; blank text holds none. */
    public static List<PublicKey> allFromPem(String text, String source) {
        List<PublicKey> keys = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return keys;
        }
        int from = 0;
        int end;
        while ((end = text.indexOf(END, from)) >= 0) {
            keys.add(SigningKey.publicKeyFromPem(text.substring(from, end + END.length()), source + " (key " + (keys.size() + 1) + ")"));
            from = end + END.length();
        }
        if (keys.isEmpty() || !text.substring(from).isBlank()) {
            SigningKey.publicKeyFromPem(text.substring(from), source + " (key " + (keys.size() + 1) + ")"); // names what is wrong
        }
        return keys;
    }
}
