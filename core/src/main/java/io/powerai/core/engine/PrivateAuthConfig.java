package io.powerai.core.engine;

import io.powerai.core.PowerAiException;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.registry.Credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The auth file one engine call runs with: only the credentials of the registries that call talks to, in a
 * directory of its own (mode 0700, the file 0600), removed when the call ends whatever the outcome, and by a
 * shutdown hook when the JVM is stopped first (Ctrl-C, a Jenkins abort's SIGTERM; nothing survives a SIGKILL's
 * leftovers but a file only root and the user can read). docker finds it as {@code DOCKER_CONFIG}, podman as
 * {@code REGISTRY_AUTH_FILE}; the user's own config is never written and never handed over, and no secret is ever
 * on a command line.
 */
public final class PrivateAuthConfig implements AutoCloseable {
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private final Path dir;
    private final Map<String, String> environment;

    private PrivateAuthConfig(Path dir, Map<String, String> environment) {
        this.dir = dir;
        this.environment = environment;
    }

    /** Writes {@code credentials} (by registry host) in the form {@code kind} reads. */
    public static PrivateAuthConfig write(ContainerEngine.Kind kind, Map<String, Credentials> credentials) {
        installHook();
        Map<String, Object> auths = new TreeMap<>();
        credentials.forEach((registry, c) -> auths.put(
                kind == ContainerEngine.Kind.DOCKER && registry.equals(ImageReference.DEFAULT_REGISTRY) ? "https://index.docker.io/v1/" : registry,
                Map.of("auth", c.basicToken())));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("powerai-auth-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            OPEN.add(dir);
            Path file = dir.resolve(kind == ContainerEngine.Kind.DOCKER ? "config.json" : "auth.json");
            Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    Json.pretty(Map.of("auths", auths)).getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
            Map<String, String> env = kind == ContainerEngine.Kind.DOCKER
                    ? Map.of("DOCKER_CONFIG", dir.toString())
                    : Map.of("REGISTRY_AUTH_FILE", file.toString());
            return new PrivateAuthConfig(dir, env);
        } catch (IOException | UncheckedIOException e) {
            if (dir != null) {
                delete(dir);
            }
            throw new PowerAiException.InfrastructureUnavailable("cannot write a private registry auth file under "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage());
        }
    }

    /** The variables that point the engine at this file. */
    public Map<String, String> environment() {
        return environment;
    }

    Path directory() {
        return dir;
    }

    @Override
    public void close() {
        delete(dir);
    }

    private static void delete(Path dir) {
        try {
            ProjectPaths.deleteTree(dir);
        } catch (UncheckedIOException e) {
            // best effort, also from the shutdown hook: a folder already gone or not removable is not a failure of the run
        }
        OPEN.remove(dir);
    }

    private static synchronized void installHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Set.copyOf(OPEN).forEach(PrivateAuthConfig::delete),
                    "remove private registry auth files"));
            hookInstalled = true;
        }
    }
}
