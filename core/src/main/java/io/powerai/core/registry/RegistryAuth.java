package io.powerai.core.registry;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which credentials serve which registry in one run: those given for the pipeline's registry
 * (POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD, read by the CLI) first, then what the agent's docker
 * and podman already hold. One answer per registry for the whole run, shared by the engine calls and the HTTP
 * client, so both see the same identity.
 */
public final class RegistryAuth {
    private final Map<String, Credentials> given;
    private final AgentCredentials agent;
    private final Map<String, Optional<Credentials>> resolved = new ConcurrentHashMap<>();

    public RegistryAuth(Map<String, Credentials> given, AgentCredentials agent) {
        Map<String, Credentials> normalized = new LinkedHashMap<>();
        given.forEach((registry, credentials) -> normalized.put(RegistryHosts.normalize(registry), credentials));
        this.given = Map.copyOf(normalized);
        this.agent = agent;
    }

    /** No credentials at all: every registry is asked anonymously. */
    public static RegistryAuth none() {
        return new RegistryAuth(Map.of(), null);
    }

    /** Only {@code given}, nothing of the agent's. */
    public static RegistryAuth of(Map<String, Credentials> given) {
        return new RegistryAuth(given, null);
    }

    /** The credentials for {@code registry} (host[:port]), or empty to go anonymously. */
    public Optional<Credentials> forRegistry(String registry) {
        String host = RegistryHosts.normalize(registry);
        Credentials explicit = given.get(host);
        if (explicit != null) {
            return Optional.of(explicit);
        }
        if (agent == null) {
            return Optional.empty();
        }
        return resolved.computeIfAbsent(host, agent::find);
    }

    /** Those of {@code registries} that have credentials, by registry, in a stable order. */
    public Map<String, Credentials> forRegistries(Collection<String> registries) {
        Map<String, Credentials> out = new TreeMap<>();
        for (String registry : registries) {
            forRegistry(registry).ifPresent(c -> out.put(RegistryHosts.normalize(registry), c));
        }
        return out;
    }
}
