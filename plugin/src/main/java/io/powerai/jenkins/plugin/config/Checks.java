package io.powerai.jenkins.plugin.config;

import io.powerai.core.image.ImageReference;
import java.util.List;
import java.util.Locale;

/**
 * The global configuration's checks, with the core's parsing: a value the page accepts is one the CLI accepts.
 * Every field may be left empty (then powerai.yaml, the step's arguments or the CLI's own default decide).
 */
public final class Checks {
    public static final List<String> ENGINES = List.of("docker", "podman");

    private Checks() {
    }

    /** A registry host[:port][/namespace], as the images' names start: checked as the core parses an image name. */
    public static Check registry(String value) {
        String registry = value == null ? "" : value.strip();
        if (registry.isEmpty()) {
            return Check.ok();
        }
        if (registry.contains("://")) {
            return Check.error("Leave out the scheme: a registry is host[:port][/namespace], e.g. myacr.azurecr.io; got '"
                    + registry + "'");
        }
        if (registry.endsWith("/")) {
            return Check.error("A registry must not end with '/'; got '" + registry + "'");
        }
        ImageReference reference;
        try {
            reference = ImageReference.parse(registry + "/x");
        } catch (IllegalArgumentException e) {
            return Check.error("Not a registry host[:port][/namespace], e.g. 127.0.0.1:5000 or myacr.azurecr.io: "
                    + e.getMessage());
        }
        String host = registry.contains("/") ? registry.substring(0, registry.indexOf('/')) : registry;
        if (!reference.registry().equals(host)) {
            return Check.warning("'" + host + "' would be read as a Docker Hub namespace, not a registry host: a host has a '.', "
                    + "a ':port' or is 'localhost' (e.g. " + host + ".azurecr.io or " + host + ":5000)");
        }
        return Check.ok();
    }

    /** An image reference; pinned by digest is best, since every snapshot then starts from the same bytes. */
    public static Check baseImage(String value) {
        String image = value == null ? "" : value.strip();
        if (image.isEmpty()) {
            return Check.ok();
        }
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            return Check.error("Not an image reference [registry/]name[:tag][@sha256:digest]: " + e.getMessage());
        }
        if (reference.digest().isEmpty()) {
            return Check.warning("Not pinned by digest: each snapshot records the digest it resolved, but "
                    + reference + "@sha256:<digest> makes every project start from the same base");
        }
        return Check.ok();
    }

    /** The engine select of the global configuration: what it shows, and the value it stores ('' : none chosen). */
    public static final List<List<String>> ENGINE_CHOICES = List.of(
            List.of("(the first on the agent's PATH, or the agent's POWERAI_ENGINE)", ""),
            List.of("docker", "docker"),
            List.of("podman", "podman"));

    public static Check engine(String value) {
        String engine = value == null ? "" : value.strip();
        if (engine.isEmpty() || ENGINES.contains(engine)) {
            return Check.ok();
        }
        if (ENGINES.contains(engine.toLowerCase(Locale.ROOT))) {
            return Check.error("Write the engine in lowercase: " + engine.toLowerCase(Locale.ROOT));
        }
        return Check.error("The container engine must be docker or podman (empty: the first on the agent's PATH); got '"
                + engine + "'");
    }

    /** The deploy policy's allowed keys: PEM public keys, parsed as the CLI parses POWERAI_ALLOWED_KEYS. */
    public static Check allowedKeys(String value) {
        if (value == null || value.isBlank()) {
            return Check.ok();
        }
        try {
            io.powerai.core.attest.PublicKeys.allFromPem(value, "Allowed keys");
            return Check.ok();
        } catch (io.powerai.core.PowerAiException e) {
            return Check.error(e.getMessage());
        }
    }
}
