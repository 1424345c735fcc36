package io.powerai.cli;

import com.sun.net.httpserver.HttpServer;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A conda channel of the test's own, served on 127.0.0.1 (no conda channel can be reached from our machines):
 * {@code noarch: generic} packages in conda's legacy {@code .tar.bz2} format, each installing one text file under
 * {@code share/<name>/}, with {@code info/index.json}, {@code info/paths.json} and {@code info/files}, and the
 * channel's {@code noarch/repodata.json} (md5, sha256, size of each archive) beside an empty
 * {@code linux-64/repodata.json}. The archives are made by GNU tar with bzip2, in a fixed order and time.
 */
final class TestCondaChannel implements AutoCloseable {
    record Package(String name, String version, String build, List<String> depends, String fileName, byte[] bytes,
                   String payloadPath, String payload) {
        String sha256() {
            return Digests.sha256(bytes);
        }
    }

    private static final String PATH = "/powerai-test-channel";
    private final Path dir;
    private final List<Package> packages = new ArrayList<>();
    private HttpServer server;

    TestCondaChannel(Path dir) {
        this.dir = dir;
    }

    /** Adds {@code name=version} (build "0") depending on {@code depends} (conda match specs). */
    Package add(String name, String version, List<String> depends) {
        String build = "0";
        String payloadPath = "share/" + name + "/" + name + ".txt";
        String payload = name + " " + version + " from the powerai test channel\n";
        try {
            Path root = Files.createDirectories(dir.resolve("build").resolve(name + "-" + version));
            Files.createDirectories(root.resolve(payloadPath).getParent());
            Files.writeString(root.resolve(payloadPath), payload);
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("arch", null);
            index.put("build", build);
            index.put("build_number", 0);
            index.put("depends", depends);
            index.put("license", "MIT");
            index.put("name", name);
            index.put("noarch", "generic");
            index.put("platform", null);
            index.put("subdir", "noarch");
            index.put("timestamp", 1764115200000L);
            index.put("version", version);
            Files.createDirectories(root.resolve("info"));
            Files.writeString(root.resolve("info/index.json"), Json.pretty(index));
            byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
            Map<String, Object> path = new LinkedHashMap<>();
            path.put("_path", payloadPath);
            path.put("path_type", "hardlink");
            path.put("sha256", Digests.sha256(payloadBytes));
            path.put("size_in_bytes", payloadBytes.length);
            Files.writeString(root.resolve("info/paths.json"), Json.pretty(Map.of("paths", List.of(path), "paths_version", 1)));
            Files.writeString(root.resolve("info/files"), payloadPath + "\n");

            String fileName = name + "-" + version + "-" + build + ".tar.bz2";
            Path archive = Files.createDirectories(dir.resolve("channel/noarch")).resolve(fileName);
            Process tar = new ProcessBuilder("tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                    "-cjf", archive.toString(), "-C", root.toString(), "info", "share").redirectErrorStream(true).start();
            String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
                throw new IllegalStateException("tar -cjf " + fileName + " failed: " + out);
            }
            Package p = new Package(name, version, build, List.copyOf(depends), fileName, Files.readAllBytes(archive), payloadPath, payload);
            packages.add(p);
            writeRepodata();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void writeRepodata() throws IOException {
        Map<String, Object> entries = new TreeMap<>();
        for (Package p : packages) {
            Map<String, Object> entry = new TreeMap<>();
            entry.put("build", p.build());
            entry.put("build_number", 0);
            entry.put("depends", p.depends());
            entry.put("license", "MIT");
            entry.put("md5", md5(p.bytes()));
            entry.put("name", p.name());
            entry.put("noarch", "generic");
            entry.put("sha256", p.sha256());
            entry.put("size", p.bytes().length);
            entry.put("subdir", "noarch");
            entry.put("timestamp", 1764115200000L);
            entry.put("version", p.version());
            entries.put(p.fileName(), entry);
        }
        Files.writeString(dir.resolve("channel/noarch/repodata.json"), Json.pretty(repodata("noarch", entries)));
        Files.createDirectories(dir.resolve("channel/linux-64"));
        Files.writeString(dir.resolve("channel/linux-64/repodata.json"), Json.pretty(repodata("linux-64", Map.of())));
    }

    private static Map<String, Object> repodata(String subdir, Map<String, Object> packages) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("info", Map.of("subdir", subdir));
        out.put("packages", packages);
        out.put("packages.conda", Map.of());
        out.put("removed", List.of());
        out.put("repodata_version", 1);
        return out;
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Path channelDir() {
        return dir.resolve("channel");
    }

    /**
     * Serves the channel's files over HTTP on a free loopback port under {@code /powerai-test-channel/} (a URL channel
     * with a path, the form conda's channels have); the channel URL.
     */
    String serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            Path file = path.startsWith(PATH + "/") ? channelDir().resolve(path.substring(PATH.length() + 1)).normalize() : channelDir();
            boolean found = file.startsWith(channelDir()) && Files.isRegularFile(file);
            byte[] body = found ? Files.readAllBytes(file) : new byte[0];
            exchange.getResponseHeaders().set("Content-Type", file.toString().endsWith(".json") ? "application/json" : "application/octet-stream");
            exchange.sendResponseHeaders(found ? 200 : 404, found ? body.length : -1);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        return url();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
