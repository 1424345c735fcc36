package io.powerai.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.Builder;
import io.powerai.core.attest.Provenance;
import io.powerai.core.attest.SigningKey;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OCI 1.1 referrers path of {@code powerai verify IMAGE}, against a STAND-IN registry (a JDK HttpServer in this
 * test, not a real registry: the Debian registry 2.8 has no referrers API): it serves an image manifest, its
 * attestation only as a referrer (GET /v2/NAME/referrers/DIGEST, an OCI index), and no fallback tag at all, so a
 * verification that passes went through the referrers API.
 */
class ReferrersApiTest {
    private HttpServer server;
    private final Map<String, byte[]> blobs = new HashMap<>();
    private final Map<String, byte[]> manifests = new HashMap<>();
    private final List<String> requests = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void verifyImage_findsTheAttestationAsAReferrer_whereTheRegistryHasTheApi() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String registry = "127.0.0.1:" + server.getAddress().getPort();
        byte[] image = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{},\"layers\":[]}"
                .getBytes(StandardCharsets.UTF_8);
        String imageDigest = "sha256:" + Digests.sha256(image);
        manifests.put(imageDigest, image);

        Path ws = Files.createDirectories(tmp.resolve(".powerai"));
        SigningKey key = SigningKey.fromPem("-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n", "test key");
        Instant t = Instant.parse("2026-12-07T02:00:00Z");
        new Attestor(Builder.local("h", "u"), key).write(ws, new Provenance.Build("amlEnvSnapshot", Map.of(), Map.of(), List.of(), t, t),
                List.of(new Provenance.Subject(registry + "/r", imageDigest)), null);
        byte[] envelope = Files.readAllBytes(ws.resolve("attestations/amlEnvSnapshot.dsse.json"));
        String envelopeDigest = "sha256:" + Digests.sha256(envelope);
        blobs.put(envelopeDigest, envelope);
        byte[] artifact = Json.canonicalBytes(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "artifactType", "application/vnd.dsse.envelope.v1+json",
                "layers", List.of(Map.of("mediaType", "application/vnd.dsse.envelope.v1+json", "digest", envelopeDigest, "size", envelope.length)),
                "subject", Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", imageDigest, "size", image.length)));
        String artifactDigest = "sha256:" + Digests.sha256(artifact);
        manifests.put(artifactDigest, artifact);
        byte[] index = Json.canonicalBytes(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.index.v1+json",
                "manifests", List.of(Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", artifactDigest,
                        "size", artifact.length, "artifactType", "application/vnd.dsse.envelope.v1+json"))));
        server.createContext("/v2/", exchange -> serve(exchange, imageDigest, index));
        server.start();
        Path publicKey = tmp.resolve("key.pub.pem");
        Files.writeString(publicKey, SigningKey.publicKeyPem(pair.getPublic()));

        CliRun run = CliRun.of("verify", registry + "/r@" + imageDigest, "--key", publicKey.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("verify: OK, " + registry + "/r@" + imageDigest + " (signed by key " + SigningKey.keyId(pair.getPublic()));
        assertThat(requests).contains("GET /v2/r/referrers/" + imageDigest, "GET /v2/r/manifests/" + artifactDigest)
                .noneMatch(r -> r.contains(".att"));
    }

    private void serve(HttpExchange exchange, String imageDigest, byte[] index) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        byte[] body = null;
        String type = "application/octet-stream";
        if (path.equals("/v2/r/referrers/" + imageDigest)) {
            body = index;
            type = "application/vnd.oci.image.index.v1+json";
        } else if (path.startsWith("/v2/r/manifests/") && manifests.containsKey(path.substring("/v2/r/manifests/".length()))) {
            body = manifests.get(path.substring("/v2/r/manifests/".length()));
            type = "application/vnd.oci.image.manifest.v1+json";
        } else if (path.startsWith("/v2/r/blobs/") && blobs.containsKey(path.substring("/v2/r/blobs/".length()))) {
            body = blobs.get(path.substring("/v2/r/blobs/".length()));
        }
        if (body == null) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:" + Digests.sha256(body));
        exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : body.length);
        if (!exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }
}
