package io.powerai.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a registry over the HTTP API v2: whether a tag exists, which manifest digest it names, and whether the
 * run's credentials may push to a repository. Plain HTTP for loopback registries (unless they have a CA of their
 * own in certs.d) and those named insecure; HTTPS otherwise. Authentication as registries ask for it in their
 * 401: {@code Basic}, or {@code Bearer} (a token from the realm for a scope, with the credentials or anonymous);
 * a token is kept per registry and scope and fetched again when the registry refuses it (it expired).
 */
public final class RegistryClient {
    static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private final Set<String> insecureRegistries;
    private final RegistryAuth auth;
    private final RegistryHttp http = new RegistryHttp();
    /** The Authorization that last worked, by registry and scope. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    public RegistryClient(Set<String> insecureRegistries, RegistryAuth auth) {
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.auth = auth;
    }

    public RegistryClient(Set<String> insecureRegistries, Map<String, Credentials> credentials) {
        this(insecureRegistries, RegistryAuth.of(credentials));
    }

    public RegistryClient() {
        this(Set.of(), RegistryAuth.none());
    }

    /** The manifest digest that {@code ref}'s tag (or digest) names, or empty when the registry has no such manifest. */
    public Optional<String> digest(ImageReference ref) {
        String reference = ref.digest().orElse(ref.tagOrLatest());
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + reference);
        RegistryHttp.Answer response = authorized("HEAD", uri, Map.of("Accept", ACCEPT), ref.registry(), scope(ref, "pull"));
        int status = response.status();
        if (status == 404) {
            return Optional.empty();
        }
        if (status == 401 || status == 403) {
            throw refused(ref, status, "refused access to");
        }
        if (status != 200) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " answered HTTP " + status
                    + " for " + ref);
        }
        return Optional.of(response.header("Docker-Content-Digest").orElseThrow(() ->
                new PowerAiException.InfrastructureUnavailable("registry " + ref.registry()
                        + " sent no Docker-Content-Digest header for " + ref)));
    }

    /**
     * Checks, before anything is built, that the run's credentials may push to {@code ref}'s repository: starts a
     * blob upload (what every push does first) and cancels it, so nothing is left in the registry.
     */
    public void requirePush(ImageReference ref) {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/blobs/uploads/");
        String scope = scope(ref, "pull,push");
        RegistryHttp.Answer response = authorized("POST", uri, Map.of(), ref.registry(), scope);
        int status = response.status();
        if (status == 401 || status == 403) {
            throw refused(ref, status, "does not allow pushing to");
        }
        if (status != 202) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " answered HTTP " + status
                    + " when a push to " + ref.repository() + " began");
        }
        response.header("Location").ifPresent(location -> {
            URI upload = URI.create(baseUrl(ref.registry()) + "/").resolve(location);
            authorized("DELETE", upload, Map.of(), ref.registry(), scope); // a stale upload expires anyway
        });
    }

    /** A manifest as the registry serves it: its bytes, media type (Content-Type) and digest (of the bytes). */
    public record Fetched(byte[] bytes, String mediaType, String digest) {
    }

    /** The manifest {@code ref}'s tag (or digest) names, or empty when the registry has none; its digest is recomputed. */
    public Optional<Fetched> manifest(ImageReference ref) {
        String reference = ref.digest().orElse(ref.tagOrLatest());
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + reference);
        RegistryHttp.Answer answer = authorized("GET", uri, Map.of("Accept", ACCEPT), new byte[0], ref.registry(), scope(ref, "pull"), true);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        requireOk(answer, ref, "fetching the manifest of");
        String digest = "sha256:" + io.powerai.core.json.Digests.sha256(answer.bytes());
        if (ref.digest().isPresent() && !ref.digest().get().equals(digest)) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " served a manifest for " + ref
                    + " whose digest is " + digest);
        }
        return Optional.of(new Fetched(answer.bytes(), answer.header("Content-Type").orElse(""), digest));
    }

    /**
     * The OCI 1.1 referrers of {@code pinned} (descriptors of the manifests whose {@code subject} it is), or empty when
     * the registry has no referrers API (404, as the Debian registry 2.8 answers, or anything but an OCI index: then
     * look under the fallback tags).
     */
    public Optional<java.util.List<Map<String, Object>>> referrers(ImageReference pinned) {
        URI uri = URI.create(baseUrl(pinned.registry()) + "/v2/" + pinned.repository() + "/referrers/" + pinned.digest().orElseThrow());
        RegistryHttp.Answer answer = authorized("GET", uri, Map.of("Accept", "application/vnd.oci.image.index.v1+json"), new byte[0],
                pinned.registry(), scope(pinned, "pull"), true);
        if (answer.status() != 200 || !answer.header("Content-Type").orElse("").startsWith("application/vnd.oci.image.index.v1+json")) {
            return Optional.empty(); // no referrers API (or none this client may use): the fallback tags decide
        }
        try {
            Object manifests = Json.parseObject(answer.body()).get("manifests");
            java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
            if (manifests instanceof java.util.List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> m) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> descriptor = (Map<String, Object>) m;
                        out.add(descriptor);
                    }
                }
            }
            return Optional.of(out);
        } catch (JsonProcessingException e) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + pinned.registry() + " answered the referrers of "
                    + pinned + " with something other than JSON");
        }
    }

    /** The blob {@code digest} of {@code ref}'s repository, checked against its digest; empty when the registry has none. */
    public Optional<byte[]> blob(ImageReference ref, String digest) {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/blobs/" + digest);
        RegistryHttp.Answer answer = authorized("GET", uri, Map.of(), new byte[0], ref.registry(), scope(ref, "pull"), true);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        requireOk(answer, ref, "fetching blob " + digest + " of");
        if (!digest.equals("sha256:" + io.powerai.core.json.Digests.sha256(answer.bytes()))) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " served blob " + digest + " of "
                    + ref.repository() + " with other content");
        }
        return Optional.of(answer.bytes());
    }

    /** Uploads {@code bytes} as a blob of {@code ref}'s repository (in one request), unless it is there; its digest. */
    public String pushBlob(ImageReference ref, byte[] bytes) {
        String digest = "sha256:" + io.powerai.core.json.Digests.sha256(bytes);
        String scope = scope(ref, "pull,push");
        URI blob = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/blobs/" + digest);
        if (authorized("HEAD", blob, Map.of(), new byte[0], ref.registry(), scope, false).status() == 200) {
            return digest;
        }
        URI start = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/blobs/uploads/");
        RegistryHttp.Answer started = authorized("POST", start, Map.of(), new byte[0], ref.registry(), scope, false);
        requireStatus(started, 202, ref, "starting an upload to");
        String location = started.header("Location").orElseThrow(() -> new PowerAiException.InfrastructureUnavailable(
                "registry " + ref.registry() + " started an upload to " + ref.repository() + " without a Location"));
        URI upload = URI.create(baseUrl(ref.registry()) + "/").resolve(location);
        URI put = URI.create(upload + (upload.getRawQuery() == null ? "?" : "&") + "digest="
                + URLEncoder.encode(digest, StandardCharsets.UTF_8));
        RegistryHttp.Answer done = authorized("PUT", put, Map.of("Content-Type", "application/octet-stream"), bytes, ref.registry(), scope, true);
        requireStatus(done, 201, ref, "uploading blob " + digest + " to");
        return digest;
    }

    /** Puts {@code bytes} as the manifest tagged {@code tag} in {@code ref}'s repository; its digest. */
    public String pushManifest(ImageReference ref, String tag, String mediaType, byte[] bytes) {
        URI uri = URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + tag);
        RegistryHttp.Answer answer = authorized("PUT", uri, Map.of("Content-Type", mediaType), bytes, ref.registry(),
                scope(ref, "pull,push"), true);
        requireStatus(answer, 201, ref, "putting manifest " + tag + " in");
        return "sha256:" + io.powerai.core.json.Digests.sha256(bytes);
    }

    private void requireOk(RegistryHttp.Answer answer, ImageReference ref, String what) {
        requireStatus(answer, 200, ref, what);
    }

    private void requireStatus(RegistryHttp.Answer answer, int expected, ImageReference ref, String what) {
        if (answer.status() == 401 || answer.status() == 403) {
            throw refused(ref, answer.status(), "refused " + what);
        }
        if (answer.status() != expected) {
            String body = answer.body().lines().findFirst().orElse("");
            throw new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " answered HTTP " + answer.status()
                    + " " + what + " " + ref.repository() + (body.isBlank() ? "" : ": " + body.substring(0, Math.min(200, body.length()))));
        }
    }

    /** Whether the registry answers the API v2 base endpoint at all (200, or 401 asking for auth). */
    public void ping(String registry) {
        URI uri = URI.create(baseUrl(registry) + "/v2/");
        RegistryHttp.Answer response = http.send("GET", uri, Map.of(), registry, false);
        if (response.status() != 200 && response.status() != 401) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + " answered HTTP "
                    + response.status() + " on /v2/ (is it a Docker registry?)");
        }
    }

    String baseUrl(String registry) {
        String host = registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        String authority = registry.equals(ImageReference.DEFAULT_REGISTRY) ? "registry-1.docker.io" : registry;
        boolean plain = insecureRegistries.contains(registry) || loopback && !RegistryHttp.hasOwnCa(registry);
        return (plain ? "http://" : "https://") + authority;
    }

    private static String scope(ImageReference ref, String actions) {
        return "repository:" + ref.repository() + ":" + actions;
    }

    /**
     * {@code method} on {@code uri} with the Authorization that last worked for this registry and scope; on a 401,
     * the one the registry's challenge asks for, then once more.
     */
    private RegistryHttp.Answer authorized(String method, URI uri, Map<String, String> headers, String registry, String scope) {
        return authorized(method, uri, headers, new byte[0], registry, scope, false);
    }

    private RegistryHttp.Answer authorized(String method, URI uri, Map<String, String> headers, byte[] body, String registry,
                                           String scope, boolean readBody) {
        String key = registry + " " + scope;
        String known = authorizations.get(key);
        RegistryHttp.Answer answer = http.send(method, uri, with(headers, known), body, registry, readBody);
        if (answer.status() != 401) {
            return answer;
        }
        Optional<AuthChallenge> challenge = AuthChallenge.parse(answer.header("WWW-Authenticate").orElse(null));
        Optional<Credentials> credentials = auth.forRegistry(registry);
        String authorization = null;
        if (challenge.isPresent() && challenge.get().isBearer()) {
            authorization = bearer(challenge.get(), registry, scope, credentials);
        } else if (challenge.isPresent() && challenge.get().isBasic() && credentials.isPresent()) {
            authorization = "Basic " + credentials.get().basicToken();
        }
        if (authorization == null || authorization.equals(known)) {
            return answer;
        }
        answer = http.send(method, uri, with(headers, authorization), body, registry, readBody);
        if (answer.status() != 401) {
            authorizations.put(key, authorization);
        }
        return answer;
    }

    private static Map<String, String> with(Map<String, String> headers, String authorization) {
        if (authorization == null) {
            return headers;
        }
        Map<String, String> out = new LinkedHashMap<>(headers);
        out.put("Authorization", authorization);
        return out;
    }

    /** The token flow: GET realm?service=...&scope=..., with basic credentials or anonymous; null when refused anonymously. */
    private String bearer(AuthChallenge challenge, String registry, String scope, Optional<Credentials> credentials) {
        String realm = challenge.params().get("realm");
        StringBuilder query = new StringBuilder("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        if (challenge.params().containsKey("service")) {
            query.append("&service=").append(URLEncoder.encode(challenge.params().get("service"), StandardCharsets.UTF_8));
        }
        credentials.ifPresent(c -> query.append("&account=").append(URLEncoder.encode(c.username(), StandardCharsets.UTF_8)));
        URI uri;
        try {
            uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
        } catch (IllegalArgumentException e) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + " names a token service that is not a URL: " + realm);
        }
        Map<String, String> headers = credentials.map(c -> Map.of("Authorization", "Basic " + c.basicToken())).orElse(Map.of());
        RegistryHttp.Answer response = http.send("GET", uri, headers, registry, true);
        if (response.status() == 401 || response.status() == 403) {
            if (credentials.isEmpty()) {
                return null;
            }
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + " refused the credentials of user '"
                    + credentials.get().username() + "' (HTTP " + response.status() + " from its token service "
                    + uri.getScheme() + "://" + uri.getAuthority() + "): check the user name and password"
                    + " (POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD, or the agent's docker login)");
        }
        if (response.status() != 200) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + "'s token service "
                    + uri.getScheme() + "://" + uri.getAuthority() + " answered HTTP " + response.status());
        }
        try {
            Map<String, Object> body = Json.parseObject(response.body());
            Object token = body.get("token") != null ? body.get("token") : body.get("access_token");
            return token == null ? null : "Bearer " + token;
        } catch (JsonProcessingException e) {
            throw new PowerAiException.InfrastructureUnavailable("registry " + registry + "'s token service "
                    + uri.getScheme() + "://" + uri.getAuthority() + " answered something other than JSON");
        }
    }

    private PowerAiException refused(ImageReference ref, int status, String what) {
        Optional<Credentials> credentials = auth.forRegistry(ref.registry());
        String who = credentials.map(c -> "user '" + c.username() + "'").orElse("anonymous access");
        String fix = credentials.isPresent()
                ? "check that user's password and its rights on " + ref.repository()
                : "log in (docker login) or set POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD (registryCredentialsId)";
        return new PowerAiException.InfrastructureUnavailable("registry " + ref.registry() + " " + what + " " + ref.repository()
                + " for " + who + " (HTTP " + status + "): " + fix);
    }
}
