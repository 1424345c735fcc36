package io.powerai.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent already has for its registries, read as docker and podman read it: docker's config
 * ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}: {@code credHelpers}, {@code credsStore},
 * {@code auths}) and podman's auth file ({@code $REGISTRY_AUTH_FILE}, else
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, else {@code ~/.config/containers/auth.json}). Only read: these files
 * are never written and never handed to an engine.
 */
public final class AgentCredentials {
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

    private final Path dockerConfig;
    private final List<Path> podmanAuthFiles;
    private final String pathVariable;
    private final ProcessRunner runner;

    AgentCredentials(Path dockerConfig, List<Path> podmanAuthFiles, String pathVariable, ProcessRunner runner) {
        this.dockerConfig = dockerConfig;
        this.podmanAuthFiles = List.copyOf(podmanAuthFiles);
        this.pathVariable = pathVariable;
        this.runner = runner;
    }

    /** The stores named by {@code environment} (DOCKER_CONFIG, HOME, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, PATH). */
    public static AgentCredentials fromEnvironment(Map<String, String> environment, ProcessRunner runner) {
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        String dockerDir = environment.get("DOCKER_CONFIG");
        Path dockerConfig = dockerDir != null && !dockerDir.isBlank() ? Path.of(dockerDir, "config.json")
                : home == null ? null : Path.of(home, ".docker", "config.json");
        List<Path> podman = new ArrayList<>();
        String authFile = environment.get("REGISTRY_AUTH_FILE");
        if (authFile != null && !authFile.isBlank()) {
            podman.add(Path.of(authFile));
        } else {
            String runtime = environment.get("XDG_RUNTIME_DIR");
            if (runtime != null && !runtime.isBlank()) {
                podman.add(Path.of(runtime, "containers", "auth.json"));
            }
            if (home != null) {
                podman.add(Path.of(home, ".config", "containers", "auth.json"));
            }
        }
        return new AgentCredentials(dockerConfig, podman, environment.get("PATH"), runner);
    }

    /** The agent's credentials for {@code registry} (a host[:port]), docker's config first, then podman's file. */
    public Optional<Credentials> find(String registry) {
        Optional<Credentials> docker = dockerConfig == null ? Optional.empty() : fromDockerConfig(dockerConfig, registry);
        if (docker.isPresent()) {
            return docker;
        }
        for (Path file : podmanAuthFiles) {
            Optional<Credentials> found = readConfig(file).flatMap(config -> fromAuths(config, registry, file));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private Optional<Credentials> fromDockerConfig(Path file, String registry) {
        Optional<Map<String, Object>> config = readConfig(file);
        if (config.isEmpty()) {
            return Optional.empty();
        }
        // docker's own order: a helper named for this registry, else the default store, else the inline entry.
        Object helpers = config.get().get("credHelpers");
        if (helpers instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (RegistryHosts.normalize(String.valueOf(e.getKey())).equals(registry)) {
                    return askHelper(String.valueOf(e.getValue()), registry);
                }
            }
        }
        Object store = config.get().get("credsStore");
        if (store instanceof String name && !name.isBlank()) {
            Optional<Credentials> stored = askHelper(name, registry);
            if (stored.isPresent()) {
                return stored;
            }
        }
        return fromAuths(config.get(), registry, file);
    }

    private static Optional<Credentials> fromAuths(Map<String, Object> config, String registry, Path file) {
        if (!(config.get("auths") instanceof Map<?, ?> auths)) {
            return Optional.empty();
        }
        for (Map.Entry<?, ?> e : auths.entrySet()) {
            if (!RegistryHosts.normalize(String.valueOf(e.getKey())).equals(registry) || !(e.getValue() instanceof Map<?, ?> entry)) {
                continue;
            }
            if (entry.get("identitytoken") instanceof String token && !token.isBlank()) {
                // An OAuth refresh token (what `az acr login` leaves): not a user and password; docs/registries.md.
                return Optional.empty();
            }
            if (entry.get("auth") instanceof String auth && !auth.isBlank()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new PowerAiException.InfrastructureUnavailable("the auth file " + file + " has an 'auth' for "
                            + registry + " that is not base64 (expected base64 of user:password)");
                }
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
                }
            }
            if (entry.get("username") instanceof String user && entry.get("password") instanceof String password) {
                return Optional.of(new Credentials(user, password));
            }
        }
        return Optional.empty();
    }

    /**
     * The docker-credential-helpers protocol: {@code docker-credential-NAME get}, the server URL on stdin, JSON
     * {@code {ServerURL, Username, Secret}} on stdout; a non-zero exit with "credentials not found" means none.
     */
    private Optional<Credentials> askHelper(String name, String registry) {
        String program = "docker-credential-" + name;
        Path executable = onPath(program);
        if (executable == null) {
            throw new PowerAiException.InfrastructureUnavailable("the docker config " + dockerConfig + " names the credential helper '"
                    + name + "', but " + program + " is not on the PATH");
        }
        ProcessRunner.Exchange answer;
        try {
            answer = runner.exchange(List.of(executable.toString(), "get"),
                    (RegistryHosts.helperServerUrl(registry) + "\n").getBytes(StandardCharsets.UTF_8), HELPER_TIMEOUT);
        } catch (ProcessRunner.NotStarted e) {
            throw new PowerAiException.InfrastructureUnavailable("credential helper " + program + " cannot start: " + e.getMessage());
        }
        if (answer.exitCode() != 0) {
            String said = (answer.stdout() + " " + answer.stderr()).strip();
            if (said.toLowerCase(java.util.Locale.ROOT).contains("credentials not found")) {
                return Optional.empty();
            }
            throw new PowerAiException.InfrastructureUnavailable("credential helper " + program + " failed for " + registry
                    + " (exit " + answer.exitCode() + "): " + firstLine(said));
        }
        Map<String, Object> reply;
        try {
            reply = Json.parseObject(answer.stdout());
        } catch (JsonProcessingException e) {
            // Its output is not quoted: it may hold the secret.
            throw new PowerAiException.InfrastructureUnavailable("credential helper " + program + " answered something other than "
                    + "JSON {ServerURL, Username, Secret} for " + registry);
        }
        if (reply.get("Username") instanceof String user && reply.get("Secret") instanceof String secret && !secret.isEmpty()) {
            return Optional.of(new Credentials(user, secret));
        }
        return Optional.empty();
    }

    private Path onPath(String program) {
        if (pathVariable == null) {
            return null;
        }
        for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program);
            }
        }
        return null;
    }

    private static Optional<Map<String, Object>> readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.parseObject(Files.readString(file)));
        } catch (JsonProcessingException e) {
            // The parser's message quotes the text, which may hold a secret: only the line is told.
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new PowerAiException.InfrastructureUnavailable("the auth file " + file + " is not valid JSON" + line + ": fix or remove it");
        } catch (IOException e) {
            throw new PowerAiException.InfrastructureUnavailable("cannot read the auth file " + file + ": " + e.getMessage());
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
