package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.Builder;
import io.powerai.core.attest.SigningKey;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The CLI's edge of the attestations: who runs (Jenkins' BUILD_URL and JOB_NAME, else host and user) and the signing
 * key named by {@code POWERAI_SIGNING_KEY}, read from its own file into memory only; the core never reads either.
 */
final class Attestation {
    static final String KEY_VARIABLE = "POWERAI_SIGNING_KEY";

    private Attestation() {
    }

    static Attestor attestor(Map<String, String> environment) {
        Builder builder = Builder.of(EnvironmentVariables.build(environment), hostName(environment),
                environment.getOrDefault("USER", System.getProperty("user.name")));
        String keyFile = environment.get(KEY_VARIABLE);
        if (keyFile == null || keyFile.isBlank()) {
            return Attestor.unsigned(builder);
        }
        return new Attestor(builder, readKey(Path.of(keyFile)));
    }

    static SigningKey readKey(Path file) {
        String source = KEY_VARIABLE + " (" + file + ")";
        if (!Files.isRegularFile(file)) {
            throw new PowerAiException.InvalidInput("powerai: " + source + " must name a readable PEM file; no such file");
        }
        try {
            return SigningKey.fromPem(Files.readString(file, StandardCharsets.US_ASCII), source);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput("powerai: " + source + " must name a readable PEM file; cannot read it ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String hostName(Map<String, String> environment) {
        String host = environment.get("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }
}
