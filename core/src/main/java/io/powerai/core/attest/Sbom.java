package io.powerai.core.attest;

import io.powerai.core.image.ImageReference;
import io.powerai.core.snapshot.Manifest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * CycloneDX 1.5 JSON SBOMs of what powerai builds, from what it already knows: the snapshot manifest (every apt, pip
 * and conda package with its version and, where pip reported one, the archive's hash), the base image by digest, and
 * for a scoring image the model file, the server and the entry script by SHA-256. No timestamp: the same inputs give
 * the same bytes; the serial number is derived from the image digest for the same reason.
 */
public final class Sbom {
    public static final String SPEC_VERSION = "1.5";

    /** A file that went into an image, by its SHA-256 (hex). */
    public record FileArtifact(String name, String version, String sha256) {
    }

    private Sbom() {
    }

    /** The SBOM of a snapshot image: its base, then every package of the manifest, each with a purl. */
    public static Map<String, Object> environment(Manifest manifest) {
        ImageReference image = ImageReference.parse(manifest.image()).pinned(manifest.imageDigest());
        ImageReference base = ImageReference.parse(manifest.baseImage()).pinned(manifest.baseImageDigest());
        Map<String, Map<String, Object>> components = new LinkedHashMap<>();
        Map<String, Object> baseComponent = container(base, "base image");
        components.put(ref(baseComponent), baseComponent);
        packages(manifest).forEach(c -> components.putIfAbsent(ref(c), c));
        return bom(image, new ArrayList<>(components.values()), List.of(ref(baseComponent)));
    }

    /**
     * The SBOM of a scoring image: the snapshot image it is built on (and, when its manifest is at hand, the
     * packages in it), the model, the scoring server and the entry script.
     */
    public static Map<String, Object> scoringImage(ImageReference image, ImageReference snapshotImage, Manifest snapshotManifest,
                                                   FileArtifact model, FileArtifact server, FileArtifact entryScript) {
        Map<String, Map<String, Object>> components = new LinkedHashMap<>();
        Map<String, Object> snapshot = container(snapshotImage, "environment snapshot");
        Map<String, Object> modelComponent = file("machine-learning-model", model, "model");
        Map<String, Object> serverComponent = file("application", server, "scoring server");
        Map<String, Object> entryComponent = file("file", entryScript, "entry script");
        for (Map<String, Object> c : List.of(snapshot, modelComponent, serverComponent, entryComponent)) {
            components.put(ref(c), c);
        }
        if (snapshotManifest != null) {
            packages(snapshotManifest).forEach(c -> components.putIfAbsent(ref(c), c));
        }
        return bom(image, new ArrayList<>(components.values()),
                List.of(ref(snapshot), ref(modelComponent), ref(serverComponent), ref(entryComponent)));
    }

    static List<Map<String, Object>> packages(Manifest manifest) {
        String vendor = manifest.os().get("ID");
        String distro = vendor == null || manifest.os().get("VERSION_ID") == null ? null : vendor + "-" + manifest.os().get("VERSION_ID");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Manifest.Package p : manifest.packages()) {
            String purl = switch (p.source()) {
                case Manifest.SOURCE_APT -> Purl.deb(vendor, p.name(), p.version(), null, distro);
                case Manifest.SOURCE_PIP -> Purl.pypi(p.name(), p.version());
                case Manifest.SOURCE_CONDA -> Purl.conda(p.name(), p.version(), p.build(), p.channel());
                default -> null;
            };
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("bom-ref", purl != null ? purl : p.source() + ":" + p.name() + "@" + p.version());
            c.put("type", "library");
            c.put("name", p.name());
            if (p.version() != null) {
                c.put("version", p.version());
            }
            if (p.hash() != null && p.hash().startsWith("sha256:")) {
                c.put("hashes", List.of(hash(p.hash().substring("sha256:".length()))));
            }
            if (purl != null) {
                c.put("purl", purl);
            }
            List<Map<String, Object>> properties = new ArrayList<>();
            property(properties, "powerai:source", p.source());
            property(properties, "powerai:layer", p.layer());
            property(properties, "powerai:installer", p.installer());
            property(properties, "powerai:url", p.url() == null ? null : io.powerai.core.python.UrlCredentials.mask(p.url()));
            if (!properties.isEmpty()) {
                c.put("properties", properties);
            }
            out.add(c);
        }
        return out;
    }

    private static Map<String, Object> bom(ImageReference image, List<Map<String, Object>> components, List<String> direct) {
        Map<String, Object> subject = container(image, null);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "application");
        tool.put("group", "io.powerai");
        tool.put("name", "powerai");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("tools", Map.of("components", List.of(tool)));
        metadata.put("component", subject);
        List<Map<String, Object>> dependencies = new ArrayList<>();
        dependencies.add(dependency(ref(subject), direct));
        Map<String, Object> bom = new LinkedHashMap<>();
        bom.put("bomFormat", "CycloneDX");
        bom.put("specVersion", SPEC_VERSION);
        bom.put("serialNumber", "urn:uuid:" + UUID.nameUUIDFromBytes(("powerai sbom " + image).getBytes(StandardCharsets.UTF_8)));
        bom.put("version", 1);
        bom.put("metadata", metadata);
        bom.put("components", components);
        bom.put("dependencies", dependencies);
        return bom;
    }

    private static Map<String, Object> container(ImageReference image, String role) {
        String digest = image.digest().orElseThrow(() -> new IllegalArgumentException("an SBOM names images by digest; got " + image));
        Map<String, Object> c = new LinkedHashMap<>();
        String purl = Purl.oci(image);
        c.put("bom-ref", purl);
        c.put("type", "container");
        c.put("name", image.name());
        c.put("version", digest);
        c.put("hashes", List.of(hash(digest.substring("sha256:".length()))));
        c.put("purl", purl);
        if (role != null) {
            c.put("properties", List.of(Map.of("name", "powerai:role", "value", role)));
        }
        return c;
    }

    private static Map<String, Object> file(String type, FileArtifact artifact, String role) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("bom-ref", role.replace(' ', '-') + ":" + artifact.sha256());
        c.put("type", type);
        c.put("name", artifact.name());
        if (artifact.version() != null) {
            c.put("version", artifact.version());
        }
        c.put("hashes", List.of(hash(artifact.sha256())));
        c.put("properties", List.of(Map.of("name", "powerai:role", "value", role)));
        return c;
    }

    private static Map<String, Object> hash(String hex) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", "SHA-256");
        h.put("content", hex);
        return h;
    }

    private static Map<String, Object> dependency(String ref, List<String> dependsOn) {
        Map<String, Object> d = new TreeMap<>();
        d.put("ref", ref);
        d.put("dependsOn", dependsOn);
        return d;
    }

    private static void property(List<Map<String, Object>> properties, String name, String value) {
        if (value != null) {
            properties.add(Map.of("name", name, "value", value));
        }
    }

    @SuppressWarnings("unchecked")
    private static String ref(Map<String, Object> component) {
        return (String) component.get("bom-ref");
    }
}
