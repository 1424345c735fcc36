package io.powerai.core.registry;

import io.powerai.core.PowerAiException;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a registry over the HTTP API v2: whether a tag exists and which manifest digest it names. Plain HTTP
 * for loopback registries and those named insecure; HTTPS otherwise. Anonymous, HTTP basic, or the bearer
 * token flow that Docker Hub and ACR answer a 401 with.
 */
public final class RegistryClient {
    private static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** Credentials for one registry; never logged, never written. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=****]";
        }
    }

    // Built on first use: creating an HttpClient loads the TLS trust store (~0.2 s), which stages that never
    // ask a registry (train) should not pay for.
    private HttpClient http;
    private final Set<String> insecureRegistries;
    private final Map<String, Credentials> credentials;

    public RegistryClient(Set<String> insecureRegistries, Map<String, Credentials> credentials) {
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.credentials = Map.copyOf(credentials);
    }

    public RegistryClient() {
        this(Set.of(), Map.of());
    }

    /** The manifest digest that {@code ref}'s tag (or digest) names, or empty when the registry has no such manifest. */
    public Optional<String> digest(ImageReference ref) {
        String reference = ref.digest().orElse(ref.tagOrLatest());
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + reference);
        Answer response = head(uri, ref, null);
        if (response.status() == 401) {
            String token = bearerToken(response, ref);
            response = head(uri, ref, token == null ? null : "Bearer " + token);
        }
        int status = response.status();
        if (status == 404) {
            return Optional.empty();
        }
        if (status == 401 || status == 403) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " refused access to "
                    + ref.repository() + " (HTTP " + status + "): log in or provide registry credentials");
        }
        if (status != 200) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " answered HTTP " + status
                    + " for " + ref);
        }
        return Optional.of(response.header("Docker-Content-Digest").orElseThrow(() ->
                new PowerAiException.InfrastructureUnavailable("registry " + ref.registry()
                        + " sent no Docker-Content-Digest header for " + ref)));
    }

    /** Whether the registry answers the API v2 base endpoint at all (200, or 401 asking for auth). */
    public void ping(String registry) {
        URI uri = URI.create(baseUrl(registry) + "/v2/");
        HttpResponse<Void> response = send(HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(10)).build(), registry);
        if (response.statusCode() != 200 && response.statusCode() != 401) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + " answered HTTP "
                    + response.statusCode() + " on /v2/ (is it a Docker registry?)");
        }
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return http;
    }

    String baseUrl(String registry) {
        String host = registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        String authority = registry.equals(ImageReference.DEFAULT_REGISTRY) ? "registry-1.docker.io" : registry;
        return (loopback || insecureRegistries.contains(registry) ? "http://" : "https://") + authority;
    }

    /** A registry's answer to a HEAD: its status and headers. */
    private record Answer(int status, java.util.function.Function<String, Optional<String>> headers) {
        Optional<String> header(String name) {
            return headers.apply(name);
        }
    }

    private Answer head(URI uri, ImageReference ref, String authorization) {
        if (uri.getScheme().equals("http")) {
            return plainHead(uri, ref, authorization);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", ACCEPT)
                .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        } else if (credentials.containsKey(ref.registry())) {
            request.header("Authorization", basic(credentials.get(ref.registry())));
        }
        HttpResponse<Void> response = send(request.build(), ref.registry());
        return new Answer(response.statusCode(), name -> response.headers().firstValue(name));
    }

    /**
     * Plain HTTP (loopback and insecure registries) without java.net.http: building an HttpClient sets up TLS
     * (the trust store), ~0.3 s of CPU that a command asking 127.0.0.1:5000 for a digest never needs.
     */
    private Answer plainHead(URI uri, ImageReference ref, String authorization) {
        java.net.HttpURLConnection connection = null;
        try {
            // No proxy, as the HttpClient above (built without one) does.
            connection = (java.net.HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
            connection.setRequestMethod("HEAD");
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(20_000);
            connection.setInstanceFollowRedirects(true);
            connection.setRequestProperty("Accept", ACCEPT);
            if (authorization != null) {
                connection.setRequestProperty("Authorization", authorization);
            } else if (credentials.containsKey(ref.registry())) {
                connection.setRequestProperty("Authorization", basic(credentials.get(ref.registry())));
            }
            int status = connection.getResponseCode();
            Map<String, java.util.List<String>> fields = connection.getHeaderFields();
            return new Answer(status, name -> fields.entrySet().stream()
                    .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                    .map(e -> e.getValue().get(0)).findFirst());
        } catch (IOException e) {
            String reason = e instanceof java.net.ConnectException ? "connection refused"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " is unreachable at "
                    + uri.getScheme() + "://" + uri.getAuthority() + " (" + reason
                    + "); start the local one with scripts/infra.sh up or check the address", e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private String bearerToken(Answer challenge, ImageReference ref) {
        String header = challenge.header("WWW-Authenticate").orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(header);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            return null;
        }
        String scope = params.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        String query = "scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
                + (params.containsKey("service") ? "&service=" + URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8) : "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + query))
                .GET().timeout(Duration.ofSeconds(20));
        if (credentials.containsKey(ref.registry())) {
            request.header("Authorization", basic(credentials.get(ref.registry())));
        }
        try {
            HttpResponse<String> response = http().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return null;
            }
            Map<String, Object> body = Json.parseObject(response.body());
            Object token = body.getOrDefault("token", body.get("access_token"));
            return token == null ? null : token.toString();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private HttpResponse<Void> send(HttpRequest request, String registry) {
        try {
            return http().send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            String reason = e instanceof java.net.ConnectException ? "connection refused"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + " is unreachable at "
                    + request.uri().getScheme() + "://" + request.uri().getAuthority() + " (" + reason
                    + "); start the local one with scripts/infra.sh up or check the address", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.InfrastructureUnavailable("interrupted while asking registry " + registry, e);
        }
    }

    private static String basic(Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
    }
}
