package io.powerai.cli;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real engine and registry that scripts/infra.sh starts. Tests that need them call {@link #require()}:
 * they skip with the reason on a machine without them, and fail when the build was told the infrastructure
 * is up (-Dpowerai.e2e=required, as scripts/test.sh sets), so CI can never pass by skipping.
 */
final class LocalInfrastructure {
    static final String REGISTRY = "127.0.0.1:5000";
    static final String BASE_IMAGE = REGISTRY + "/powerai/python-ml:bookworm";
    /** Debian's PyTorch (CPU) and numpy: the base of examples/image-classifier. */
    static final String TORCH_IMAGE = REGISTRY + "/powerai/python-torch:bookworm";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalInfrastructure() {
    }

    static void require() {
        String missing = missing();
        if (missing == null) {
            return;
        }
        if ("required".equals(System.getProperty("powerai.e2e"))) {
            throw new AssertionError("local infrastructure required but " + missing + " (run scripts/infra.sh up)");
        }
        Assumptions.abort("needs the local infrastructure (scripts/infra.sh up): " + missing);
    }

    /** {@link #require()}, and the PyTorch base image in the registry; skips or fails the same way. */
    static void requireTorchImage() {
        require();
        if (manifestDigest("powerai/python-torch", "bookworm").isPresent()) {
            return;
        }
        String missing = "the registry on " + REGISTRY + " lacks " + TORCH_IMAGE;
        if ("required".equals(System.getProperty("powerai.e2e"))) {
            throw new AssertionError("local infrastructure required but " + missing + " (run scripts/infra.sh up, or images)");
        }
        Assumptions.abort("needs the PyTorch base image (scripts/infra.sh images): " + missing);
    }

    private static String missing() {
        try {
            Process p = new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}").redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "the docker engine does not answer";
            }
        } catch (IOException e) {
            return "docker is not installed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        if (manifestDigest("powerai/python-ml", "bookworm").isEmpty()) {
            return "the registry on " + REGISTRY + " does not answer or lacks " + BASE_IMAGE;
        }
        return null;
    }

    /** The registry's own answer, asked directly over the API (not through the code under test). */
    static Optional<String> manifestDigest(String repository, String reference) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/" + repository + "/manifests/" + reference))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
            HttpResponse<Void> response = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200 ? response.headers().firstValue("Docker-Content-Digest") : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The repository root, where examples/ lives. */
    static Path repoRoot() {
        String root = System.getProperty("powerai.repoRoot");
        Path dir = root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("examples"))) {
            dir = Path.of("").toAbsolutePath().getParent();
        }
        return dir;
    }

    /**
     * podman configured as scripts/infra.sh podman does (CONTAINERS_CONF and friends in the environment);
     * skips or fails like {@link #require()}.
     */
    static void requirePodman() {
        require();
        String missing = null;
        if (System.getenv("CONTAINERS_CONF") == null) {
            missing = "CONTAINERS_CONF is not set (source $POWERAI_INFRA_DIR/podman/env)";
        } else {
            try {
                Process p = new ProcessBuilder("podman", "version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    missing = "podman does not run";
                }
            } catch (IOException e) {
                missing = "podman is not installed";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing = "interrupted";
            }
        }
        if (missing == null) {
            return;
        }
        if ("required".equals(System.getProperty("powerai.e2e"))) {
            throw new AssertionError("podman required but " + missing + " (run scripts/infra.sh podman)");
        }
        Assumptions.abort("needs podman (scripts/infra.sh podman): " + missing);
    }

    /** {@link #copyExample(Path, String, String, int)} of examples/svm-moons. */
    static Path copyExample(Path dir, String name, int port) throws IOException {
        return copyExample(dir, "svm-moons", name, port);
    }

    /**
     * A copy of examples/{@code example} under {@code dir} with its own name and port, and a unique environment
     * variable so that its snapshot is new to the registry and really built.
     */
    static Path copyExample(Path dir, String example, String name, int port) throws IOException {
        Path project = dir.resolve(name);
        copyTree(repoRoot().resolve("examples").resolve(example), project);
        Path spec = project.resolve("powerai.yaml");
        String original = Files.readString(spec);
        String text = original
                .replaceFirst("(?m)^name: " + java.util.regex.Pattern.quote(example) + "$", "name: " + name)
                .replaceFirst("(?m)^  port: [0-9]+$", "  port: " + port)
                .replaceFirst("(?m)^  env:$", "  env:\n    E2E_RUN: \"" + java.util.UUID.randomUUID() + "\"");
        if (!text.contains("name: " + name + "\n") || !text.contains("  port: " + port + "\n") || !text.contains("E2E_RUN")) {
            throw new IllegalStateException("examples/" + example + "/powerai.yaml lacks the name, deploy port or environment env this copy changes");
        }
        Files.writeString(spec, text);
        return project;
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            // cleanup only
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path rel = from.relativize(p);
                if (!rel.toString().isEmpty() && rel.getName(0).toString().equals(".powerai")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
