package io.powerai.core.registry;

import io.powerai.core.image.ImageReference;

import java.util.Locale;

/** How registries are named in auth files: one key per registry host, whatever form a tool wrote it in. */
final class RegistryHosts {
    /** The key docker's own auth file uses for Docker Hub (and the server URL its credential helpers get). */
    static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private RegistryHosts() {
    }

    /**
     * {@code https://index.docker.io/v1/}, {@code http://host:5000/}, {@code host:5000} all name a registry by its
     * host and port; Docker Hub has three names (index.docker.io, registry-1.docker.io, docker.io) for one.
     */
    static String normalize(String key) {
        String host = key.strip();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
            return ImageReference.DEFAULT_REGISTRY;
        }
        return host;
    }

    /** The server URL a docker credential helper is asked about for {@code registry}, as docker itself asks it. */
    static String helperServerUrl(String registry) {
        return registry.equals(ImageReference.DEFAULT_REGISTRY) ? DOCKER_HUB_KEY : registry;
    }
}
