package io.powerai.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small token service for the registry's {@code auth: token}, as Docker Hub, ACR and GHCR run one: it checks a
 * user's basic credentials on {@code GET /token?service=...&scope=repository:NAME:ACTIONS}, grants the actions
 * that user holds (a user may hold pull only), and answers a JWT signed RS256 with the test's key, its certificate
 * in the {@code x5c} header (the registry checks it against its rootcertbundle). Anonymous callers get pull on
 * repositories under {@code public/}, as Docker Hub gives anonymous pulls.
 */
final class TokenIssuer implements AutoCloseable {
    static final String SERVICE = "powerai-test-registry";
    static final String ISSUER = "powerai-test-issuer";

    private record User(String password, Set<String> actions) {
    }

    private final HttpServer server;
    private final TestPki pki;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final AtomicInteger issued = new AtomicInteger();
    /** Seconds from now to a token's expiry; a test shortens it to see a token run out. */
    private final AtomicLong lifetimeSeconds = new AtomicLong(300);

    TokenIssuer(TestPki pki) throws IOException {
        this.pki = pki;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    void addUser(String name, String password, String... actions) {
        users.put(name, new User(password, Set.of(actions)));
    }

    int tokensIssued() {
        return issued.get();
    }

    void tokenLifetime(long seconds) {
        lifetimeSeconds.set(seconds);
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            String user = null;
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null && authorization.startsWith("Basic ")) {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                User known = colon < 0 ? null : users.get(decoded.substring(0, colon));
                if (known == null || !known.password().equals(decoded.substring(colon + 1))) {
                    send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"wrong user name or password\"}]}");
                    return;
                }
                user = decoded.substring(0, colon);
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : params(exchange.getRequestURI().getRawQuery(), "scope")) {
                String[] parts = scope.split(":");
                if (parts.length != 3 || !parts[0].equals("repository")) {
                    continue;
                }
                Set<String> granted = new TreeSet<>();
                for (String action : parts[2].split(",")) {
                    boolean allowed = user != null ? users.get(user).actions().contains(action)
                            : action.equals("pull") && parts[1].startsWith("public/");
                    if (allowed) {
                        granted.add(action);
                    }
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("type", "repository");
                entry.put("name", parts[1]);
                entry.put("actions", List.copyOf(granted));
                access.add(entry);
            }
            String token = jwt(user == null ? "" : user, access);
            issued.incrementAndGet();
            send(exchange, 200, Json.canonical(Map.of("token", token, "access_token", token, "expires_in", 300)));
        } catch (RuntimeException | GeneralSecurityException e) {
            send(exchange, 500, "{\"errors\":[{\"message\":\"" + e.getClass().getSimpleName() + "\"}]}");
        }
    }

    private String jwt(String subject, List<Map<String, Object>> access) throws GeneralSecurityException {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("x5c", List.of(Base64.getEncoder().encodeToString(pki.tokenCertificate.getEncoded())));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + lifetimeSeconds.get());
        claims.put("nbf", now - 120);
        claims.put("iat", now - 120);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(Json.canonical(header).getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(Json.canonical(claims).getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(pki.tokenKey);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(rsa.sign());
    }

    private static List<String> params(String rawQuery, String name) {
        List<String> values = new ArrayList<>();
        if (rawQuery == null) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                // docker sends one scope per parameter; a scope may also hold several, space-separated
                for (String v : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).split(" ")) {
                    if (!v.isEmpty()) {
                        values.add(v);
                    }
                }
            }
        }
        return values;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
