package io.powerai.core.registry;

import io.powerai.core.PowerAiException;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * One HTTP exchange with a registry or its token service. Plain HTTP goes through HttpURLConnection: building an
 * HttpClient sets up TLS (the trust store), ~0.3 s of CPU that a command asking 127.0.0.1:5000 for a digest never
 * needs. HTTPS trusts the JDK's CAs plus the registry's own, where docker and podman look for it
 * ({@code /etc/docker/certs.d/HOST:PORT/*.crt}, {@code /etc/containers/certs.d/HOST:PORT/*.crt}), so one CA file
 * serves the engine and this client alike.
 */
final class RegistryHttp {
    static final List<Path> CERTS_DIRS = List.of(Path.of("/etc/docker/certs.d"), Path.of("/etc/containers/certs.d"));

    /** The most of an answer's body that is read: manifests and attestations are kilobytes; a registry is not trusted. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** A registry's answer: status, headers, and the body where one was asked for. */
    record Answer(int status, Function<String, Optional<String>> headers, byte[] bytes) {
        Optional<String> header(String name) {
            return headers.apply(name);
        }

        String body() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    /** Whether {@code registry} has a CA of its own in a certs.d directory (then even a loopback one speaks TLS). */
    static boolean hasOwnCa(String registry) {
        return !caFiles(registry).isEmpty();
    }

    Answer send(String method, URI uri, Map<String, String> headers, String registry, boolean readBody) {
        return send(method, uri, headers, new byte[0], registry, readBody);
    }

    /** {@code method} with {@code body} as the request's body (a blob or a manifest being pushed; empty for none). */
    Answer send(String method, URI uri, Map<String, String> headers, byte[] body, String registry, boolean readBody) {
        try {
            return uri.getScheme().equals("http") ? plain(method, uri, headers, body, readBody) : tls(method, uri, headers, body, registry, readBody);
        } catch (IOException e) {
            String reason = e instanceof java.net.ConnectException ? "connection refused"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + " is unreachable at "
                    + uri.getScheme() + "://" + uri.getAuthority() + " (" + reason
                    + "); start the local one with scripts/infra.sh up or check the address", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.InfrastructureUnavailable("interrupted while asking registry " + registry, e);
        }
    }

    private Answer tls(String method, URI uri, Map<String, String> headers, byte[] body, String registry, boolean readBody)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        HttpResponse<InputStream> response = client(registry).send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = readBody ? readLimited(in) : new byte[0];
        }
        return new Answer(response.statusCode(), name -> response.headers().firstValue(name), bytes);
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new IOException("the answer is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return bytes;
    }

    private static Answer plain(String method, URI uri, Map<String, String> headers, byte[] requestBody, boolean readBody) throws IOException {
        // No proxy, as the HttpClient (built without one) does.
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(30_000);
            connection.setInstanceFollowRedirects(true);
            headers.forEach(connection::setRequestProperty);
            if (method.equals("POST") || method.equals("PUT")) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(requestBody.length);
                try (var out = connection.getOutputStream()) {
                    out.write(requestBody);
                }
            }
            int status = connection.getResponseCode();
            Map<String, List<String>> fields = connection.getHeaderFields();
            byte[] body = new byte[0];
            if (readBody) {
                body = readLimited(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            }
            return new Answer(status, name -> fields.entrySet().stream()
                    .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                    .map(e -> e.getValue().get(0)).findFirst(), body);
        } finally {
            connection.disconnect();
        }
    }

    private HttpClient client(String registry) {
        return clients.computeIfAbsent(registry, r -> {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NORMAL);
            List<Path> cas = caFiles(r);
            if (!cas.isEmpty()) {
                builder.sslContext(trusting(r, cas));
            }
            return builder.build();
        });
    }

    private static List<Path> caFiles(String registry) {
        List<Path> files = new ArrayList<>();
        for (Path root : CERTS_DIRS) {
            Path dir = root.resolve(registry);
            if (!registry.contains("/") && Files.isDirectory(dir)) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.filter(p -> p.getFileName().toString().endsWith(".crt")).sorted().forEach(files::add);
                } catch (IOException e) {
                    // unreadable: the JDK's CAs alone decide
                }
            }
        }
        return files;
    }

    private static SSLContext trusting(String registry, List<Path> caFiles) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (javax.net.ssl.TrustManager tm : defaults.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("jdk-" + n++, ca);
                    }
                }
            }
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Path file : caFiles) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (Certificate cert : factory.generateCertificates(in)) {
                        store.setCertificateEntry("certs.d-" + n++, cert);
                    }
                }
            }
            TrustManagerFactory withOwn = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            withOwn.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, withOwn.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new PowerAiException.InfrastructureUnavailable("cannot use the CA certificates " + caFiles + " of registry "
                    + registry + ": " + e.getMessage());
        }
    }
}
