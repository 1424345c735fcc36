package io.powerai.core.attest;

import io.powerai.core.image.ImageReference;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Package URLs (purl): {@code pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS}, every part percent-encoded. */
public final class Purl {
    private Purl() {
    }

    /** A Debian package; {@code distro} e.g. {@code debian-12} and {@code arch} when known (else left out). */
    public static String deb(String vendor, String name, String version, String arch, String distro) {
        Map<String, String> q = new TreeMap<>();
        putIfSet(q, "arch", arch);
        putIfSet(q, "distro", distro);
        return of("deb", vendor == null ? "debian" : vendor.toLowerCase(java.util.Locale.ROOT), name, version, q);
    }

    /** A Python distribution: the name lower-cased, runs of '_', '.' and '-' as one '-' (the purl spec for pypi). */
    public static String pypi(String name, String version) {
        return of("pypi", null, name.toLowerCase(java.util.Locale.ROOT).replaceAll("[-_.]+", "-"), version, Map.of());
    }

    public static String conda(String name, String version, String build, String channel) {
        Map<String, String> q = new TreeMap<>();
        putIfSet(q, "build", build);
        putIfSet(q, "channel", channel);
        return of("conda", null, name, version, q);
    }

    /** An OCI image by digest: {@code pkg:oci/NAME@sha256%3A...?repository_url=REGISTRY/REPOSITORY}. */
    public static String oci(ImageReference image) {
        String repository = image.repository();
        String name = repository.substring(repository.lastIndexOf('/') + 1);
        return of("oci", null, name, image.digest().orElseThrow(), Map.of("repository_url", image.name()));
    }

    static String of(String type, String namespace, String name, String version, Map<String, String> qualifiers) {
        StringBuilder out = new StringBuilder("pkg:").append(type).append('/');
        if (namespace != null) {
            out.append(encode(namespace)).append('/');
        }
        out.append(encode(name));
        if (version != null) {
            out.append('@').append(encode(version));
        }
        String sep = "?";
        for (Map.Entry<String, String> q : new TreeMap<>(qualifiers).entrySet()) {
            out.append(sep).append(q.getKey()).append('=').append(encode(q.getValue()));
            sep = "&";
        }
        return out.toString();
    }

    /** Percent-encodes all but the unreserved characters of RFC 3986 (so ':' of an epoch and '+' become %3A, %2B). */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
