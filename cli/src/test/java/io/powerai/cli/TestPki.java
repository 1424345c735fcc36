package io.powerai.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys and certificates the authenticated-registry tests make for themselves with openssl (Debian's, a dependency
 * of ca-certificates): a CA and a server certificate for 127.0.0.1 signed by it (the registry's TLS), and a
 * self-signed key pair the token issuer signs its JWTs with (the registry's rootcertbundle).
 */
final class TestPki {
    final Path caCert;
    final Path serverCert;
    final Path serverKey;
    final Path tokenCert;
    final PrivateKey tokenKey;
    final X509Certificate tokenCertificate;

    private TestPki(Path dir) throws IOException {
        caCert = dir.resolve("ca.crt");
        serverCert = dir.resolve("server.crt");
        serverKey = dir.resolve("server.key");
        tokenCert = dir.resolve("token.crt");
        Path caKey = dir.resolve("ca.key");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-subj", "/CN=powerai test CA", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Path csr = dir.resolve("server.csr");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKey.toString(), "-out", csr.toString(), "-subj", "/CN=127.0.0.1");
        Path ext = dir.resolve("server.ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(), "-CAcreateserial",
                "-out", serverCert.toString(), "-days", "2", "-extfile", ext.toString());
        Path tokenKeyFile = dir.resolve("token.key");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tokenKeyFile.toString(), "-out", tokenCert.toString(),
                "-subj", "/CN=powerai test token issuer", "-days", "2");
        try {
            tokenKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(tokenKeyFile)));
            try (var in = Files.newInputStream(tokenCert)) {
                tokenCertificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the token key: " + e.getMessage(), e);
        }
    }

    static TestPki create(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new TestPki(dir);
    }

    private static byte[] pemBody(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
