package io.powerai.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Debian {@code docker-registry} (distribution 2.8) that a test starts on a free 127.0.0.1 port with its
 * own config and storage: htpasswd basic auth over plain HTTP, or token auth behind TLS with the test's CA. For
 * TLS the CA goes where the engines look for a registry's own CA ({@code /etc/docker/certs.d/127.0.0.1:PORT/ca.crt}
 * for dockerd, {@code /etc/containers/certs.d/...} for podman; the registry client reads both): the only files
 * outside the test's directory, removed by {@link #close()}.
 */
final class AuthRegistry implements AutoCloseable {
    final int port;
    final String address;
    private final Process process;
    private final List<Path> installedCaDirs = new ArrayList<>();

    private AuthRegistry(Path dir, String auth, String tls, Path caCert) throws IOException, InterruptedException {
        port = LocalInfrastructure.freePort();
        address = "127.0.0.1:" + port;
        Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "version: 0.1",
                "log: {level: warn, accesslog: {disabled: true}}",
                "storage: {filesystem: {rootdirectory: " + dir.resolve("storage") + "}, delete: {enabled: true}}",
                "http: {addr: '" + address + "', secret: powerai-test" + tls + "}",
                auth, ""));
        if (caCert != null) {
            for (String root : List.of("/etc/docker/certs.d", "/etc/containers/certs.d")) {
                Path caDir = Path.of(root, address);
                Files.createDirectories(caDir);
                Files.copy(caCert, caDir.resolve("ca.crt"));
                installedCaDirs.add(caDir);
            }
        }
        process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        waitUntilUp(caCert != null, dir.resolve("registry.log"));
    }

    /** Basic auth against an htpasswd file (bcrypt, written by {@code htpasswd -B}, the passwords on its stdin). */
    static AuthRegistry htpasswd(Path dir, String... usersAndPasswords) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path file = dir.resolve("htpasswd");
        for (int i = 0; i < usersAndPasswords.length; i += 2) {
            List<String> command = new ArrayList<>(List.of("htpasswd", "-iB"));
            if (i == 0) {
                command.add("-c");
            }
            command.addAll(List.of(file.toString(), usersAndPasswords[i]));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().write((usersAndPasswords[i + 1] + "\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "htpasswd failed: " + out);
        }
        return new AuthRegistry(dir, "auth: {htpasswd: {realm: powerai-test, path: " + file + "}}", "", null);
    }

    /** Token auth from {@code issuer}, served over TLS with {@code pki}'s server certificate. */
    static AuthRegistry token(Path dir, TestPki pki, TokenIssuer issuer) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String auth = "auth: {token: {realm: '" + issuer.realm() + "', service: " + TokenIssuer.SERVICE + ", issuer: "
                + TokenIssuer.ISSUER + ", rootcertbundle: " + pki.tokenCert + "}}";
        String tls = ", tls: {certificate: " + pki.serverCert + ", key: " + pki.serverKey + "}";
        return new AuthRegistry(dir, auth, tls, pki.caCert);
    }

    /**
     * Skips the test (or fails it where the build was told the infrastructure is up, -Dpowerai.e2e=required) when a
     * program the registries need is missing: docker-registry, htpasswd (apache2-utils), openssl, and {@code more}.
     */
    static void requireTools(String... more) {
        String missing = missingTools(more);
        if (missing == null) {
            return;
        }
        if ("required".equals(System.getProperty("powerai.e2e"))) {
            throw new AssertionError("authenticated registry tests required but " + missing);
        }
        org.junit.jupiter.api.Assumptions.abort(missing);
    }

    /** Closes each of {@code servers} that was started. */
    static void stopAll(AutoCloseable... servers) {
        for (AutoCloseable server : servers) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    // the others are stopped all the same
                }
            }
        }
    }

    private static String missingTools(String... more) {
        List<String> tools = new ArrayList<>(List.of("docker-registry", "htpasswd", "openssl"));
        tools.addAll(List.of(more));
        for (String tool : tools) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) {
                return tool + " is not installed (scripts/infra.sh up installs docker-registry, apache2-utils and skopeo)";
            }
        }
        return null;
    }

    private void waitUntilUp(boolean tls, Path log) throws IOException, InterruptedException {
        // Readiness only: the port accepting connections. TLS is checked by the tests themselves through the CA.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry ended at start: " + Files.readString(log));
            }
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("docker-registry did not listen on " + address + " within 20 s (tls " + tls + ")");
    }

    /** The registry's answer to {@code GET /v2/REPOSITORY/tags/list} with {@code authorization}, for checks that bypass the code under test. */
    static HttpResponse<String> get(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (Path caDir : installedCaDirs) {
            try {
                Files.deleteIfExists(caDir.resolve("ca.crt"));
                Files.deleteIfExists(caDir);
            } catch (IOException e) {
                // left for the next run's cleanup; it names a port no registry listens on
            }
        }
    }
}
