package io.powerai.core.report;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Serves a folder the way Jenkins serves archived build artifacts: every answer carries Jenkins' default
 * Content-Security-Policy for them, exactly. On 127.0.0.1, a port picked free; records what was asked for.
 */
final class ArchivedArtifactServer implements AutoCloseable {
    /** Jenkins' default for archived files (DirectoryBrowserSupport.DEFAULT_CSP_VALUE). */
    static final String JENKINS_ARTIFACT_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'self';";

    private final HttpServer server;
    private final List<String> requested = new CopyOnWriteArrayList<>();

    ArchivedArtifactServer(Path root) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requested.add(path);
            Path file = root.resolve(path.substring(1)).normalize();
            exchange.getResponseHeaders().set("Content-Security-Policy", JENKINS_ARTIFACT_CSP);
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().set("Content-Type", contentType(file.getFileName().toString()));
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8";
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    List<String> requested() {
        return List.copyOf(requested);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
