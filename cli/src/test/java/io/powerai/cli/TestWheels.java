package io.powerai.cli;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Pure-Python wheels built by the test itself (no PyPI here), and a PEP 503 "simple" index serving them on
 * 127.0.0.1 that a container on the host network (docker build --network host) installs from.
 */
final class TestWheels {
    private TestWheels() {
    }

    /** A built wheel: its file name, bytes and SHA-256 (hex). */
    record Wheel(String project, String version, String fileName, byte[] bytes, String sha256) {
    }

    /**
     * A wheel of one module {@code <name>} whose {@code VERSION} is {@code version}, depending on {@code requires}
     * (PEP 508 strings). The zip's entry times are fixed, so the same wheel always has the same hash.
     */
    static Wheel build(String name, String version, List<String> requires) {
        String dist = name + "-" + version + ".dist-info";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(name + "/__init__.py", ("VERSION = \"" + version + "\"\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder metadata = new StringBuilder("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n");
        requires.forEach(r -> metadata.append("Requires-Dist: ").append(r).append('\n'));
        metadata.append("Summary: a wheel built by powerai's tests\n");
        files.put(dist + "/METADATA", metadata.toString().getBytes(StandardCharsets.UTF_8));
        files.put(dist + "/WHEEL", "Wheel-Version: 1.0\nGenerator: powerai-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        files.forEach((path, content) -> record.append(path).append(",sha256=")
                .append(Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(content))).append(',')
                .append(content.length).append('\n'));
        record.append(dist).append("/RECORD,,\n");
        files.put(dist + "/RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                ZipEntry entry = new ZipEntry(f.getKey());
                entry.setTime(315532800000L); // 1980-01-01, the zip epoch: reproducible bytes
                zip.putNextEntry(entry);
                zip.write(f.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        return new Wheel(name, version, name + "-" + version + "-py3-none-any.whl", bytes, HexFormat.of().formatHex(sha256(bytes)));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEP 503 index: /simple/ lists projects, /simple/NAME/ links each file with #sha256=, /files/FILE serves it. */
    static final class Index implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, List<Wheel>> projects = new TreeMap<>();

        Index(List<Wheel> wheels) throws IOException {
            wheels.forEach(w -> projects.computeIfAbsent(w.project().replace('_', '-').toLowerCase(), k -> new java.util.ArrayList<>()).add(w));
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                byte[] body;
                String type = "text/html";
                int status = 200;
                if (path.equals("/simple/")) {
                    StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>\n");
                    projects.keySet().forEach(p -> html.append("<a href=\"/simple/").append(p).append("/\">").append(p).append("</a>\n"));
                    body = html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
                } else if (path.startsWith("/simple/") && projects.containsKey(path.substring(8).replace("/", ""))) {
                    StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>\n");
                    for (Wheel w : projects.get(path.substring(8).replace("/", ""))) {
                        html.append("<a href=\"/files/").append(w.fileName()).append("#sha256=").append(w.sha256()).append("\">")
                                .append(w.fileName()).append("</a>\n");
                    }
                    body = html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
                } else if (path.startsWith("/files/")) {
                    String file = path.substring(7);
                    body = projects.values().stream().flatMap(List::stream).filter(w -> w.fileName().equals(file))
                            .map(Wheel::bytes).findFirst().orElse(null);
                    type = "application/octet-stream";
                    if (body == null) {
                        status = 404;
                        body = new byte[0];
                    }
                } else {
                    status = 404;
                    body = new byte[0];
                }
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
