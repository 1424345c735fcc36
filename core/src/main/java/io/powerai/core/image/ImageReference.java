package io.powerai.core.image;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed by the grammar of the distribution project:
 * {@code [registry/]path[:tag][@sha256:digest]}. The first component is a registry only when it has a '.', a
 * ':' or is {@code localhost}, so {@code localhost:5000/app} is registry {@code localhost:5000}, repository
 * {@code app}, no tag (splitting at the last ':' would get this wrong).
 */
public final class ImageReference {
    public static final String DEFAULT_REGISTRY = "docker.io";

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*");
    private static final Pattern REGISTRY =
            Pattern.compile("(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
                    + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    private final String registry;
    private final String repository;
    private final String tag;
    private final String digest;

    private ImageReference(String registry, String repository, String tag, String digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses {@code text}; the exception's message says which part broke which rule, to be prefixed with the
     * stage and field by the caller.
     */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an image reference must not be empty");
        }
        if (!text.equals(text.strip())) {
            throw new IllegalArgumentException("an image reference must not contain spaces");
        }
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("the digest '" + digest + "' must be sha256: followed by 64 lowercase hex digits");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("the tag '" + tag + "' must be 1-128 of letters, digits, '_', '.', '-' and not start with '.' or '-'");
            }
        }
        String registry = DEFAULT_REGISTRY;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                int portAt = first.lastIndexOf(':');
                if (!REGISTRY.matcher(first).matches() || portAt > 0 && Integer.parseInt(first.substring(portAt + 1)) > 65535) {
                    throw new IllegalArgumentException("the registry '" + first + "' must be a host name or address with an optional"
                            + " :port (1-65535)");
                }
                registry = first;
                path = rest.substring(slash + 1);
            }
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the repository name is missing");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("the repository component '" + component
                        + "' must be lowercase letters and digits, separated by '.', '_', '__' or '-'");
            }
        }
        if (registry.equals(DEFAULT_REGISTRY) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (path.length() + registry.length() + 1 > 255) {
            throw new IllegalArgumentException("the name must be at most 255 characters");
        }
        return new ImageReference(registry, path, tag, digest);
    }

    public static ImageReference of(String registry, String repository, String tag) {
        return parse(registry + "/" + repository + ":" + tag);
    }

    public String registry() {
        return registry;
    }

    public String repository() {
        return repository;
    }

    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<String> digest() {
        return Optional.ofNullable(digest);
    }

    /** The tag a registry is asked for: the tag, or {@code latest} as the engines assume. */
    public String tagOrLatest() {
        return tag == null ? "latest" : tag;
    }

    public ImageReference withDigest(String newDigest) {
        if (!DIGEST.matcher(newDigest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + newDigest);
        }
        return new ImageReference(registry, repository, tag, newDigest);
    }

    /** The reference pinned by digest alone: what engines pull and what results record. */
    public ImageReference pinned(String newDigest) {
        return new ImageReference(registry, repository, null, newDigest).withDigest(newDigest);
    }

    public String name() {
        return registry + "/" + repository;
    }

    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }
}
