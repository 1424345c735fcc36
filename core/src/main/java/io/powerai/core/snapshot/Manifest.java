package io.powerai.core.snapshot;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The snapshot manifest ({@code .powerai/environment/manifest.json}): everything in the snapshot image, pinned.
 * Its JSON has no time in it, so the same image gives the same bytes; {@link #snapshotId()} ties it to the inputs.
 */
public record Manifest(
        String snapshotId,
        String image,
        String imageDigest,
        String baseImage,
        String baseImageDigest,
        SortedMap<String, String> os,
        String pythonVersion,
        String pythonImplementation,
        String cuda,
        String cudnn,
        SortedMap<String, String> env,
        SortedMap<String, String> inputFiles,
        String condaName,
        List<String> condaChannels,
        List<Package> packages) {

    public static final int SCHEMA_VERSION = 1;
    public static final String SOURCE_PIP = "pip";
    public static final String SOURCE_CONDA = "conda";
    public static final String SOURCE_APT = "apt";

    /**
     * One installed package. {@code layer} is "base" when the base image has the same version, "snapshot" when
     * the snapshot installed or changed it; {@code installer} is who installed a Python distribution (pip, conda,
     * or none for the OS's own); {@code build} is a conda build string; {@code url} where pip installed a
     * distribution from a URL or VCS ({@code pip freeze}'s {@code name @ url}); {@code channel} the URL of the conda
     * channel a conda package came from.
     */
    public record Package(String name, String version, String source, String hash, String build, String installer, String layer,
                          String url, String channel) {
        public String key() {
            return source + ":" + name;
        }
    }

    public Manifest {
        os = new TreeMap<>(os);
        env = new TreeMap<>(env);
        inputFiles = new TreeMap<>(inputFiles);
        condaChannels = condaChannels == null ? List.of() : List.copyOf(condaChannels);
        packages = packages.stream().sorted(Comparator.comparing(Package::source).thenComparing(Package::name)).toList();
    }

    /**
     * The packages of {@code image} as captured, each marked with the layer it comes from by comparing with the
     * capture of the base ({@code base} may be null: layers are then unknown).
     */
    public static List<Package> packages(Capture.Captured image, Capture.Captured base) {
        List<Package> out = new ArrayList<>();
        image.dpkg().forEach((name, version) -> out.add(new Package(name, version, SOURCE_APT, null, null, null,
                layer(base == null ? null : base.dpkg().get(name), version, base), null, null)));
        // A conda package is the base's only at the same version and build: another build is another package (CPU/CUDA).
        image.conda().values().forEach(c -> {
            Capture.CondaPackage inBase = base == null ? null : base.conda().get(c.name());
            String baseVersion = inBase == null || !Objects.equals(inBase.build(), c.build()) ? null : inBase.version();
            out.add(new Package(c.name(), c.version(), SOURCE_CONDA, null, c.build(), null, layer(baseVersion, c.version(), base), null,
                    c.channel()));
        });
        Map<String, String> urls = new TreeMap<>();
        for (String line : image.pipFreeze()) {
            int at = line.indexOf(" @ ");
            if (at > 0 && !line.startsWith("-")) {
                urls.put(io.powerai.core.python.PackageName.normalize(line.substring(0, at).strip()), line.substring(at + 3).strip());
            }
        }
        image.python().values().forEach(p -> {
            if ("conda".equals(p.installer()) && image.conda().containsKey(p.name())) {
                return; // conda's own package; recorded once, as conda
            }
            String baseVersion = base == null || !base.python().containsKey(p.name()) ? null : base.python().get(p.name()).version();
            out.add(new Package(p.name(), p.version(), SOURCE_PIP, p.hash(), null, p.installer(), layer(baseVersion, p.version(), base),
                    urls.get(p.name()), null));
        });
        return out;
    }

    private static String layer(String baseVersion, String version, Capture.Captured base) {
        if (base == null) {
            return null;
        }
        return version.equals(baseVersion) ? "base" : "snapshot";
    }

    public List<Package> packages(String source) {
        return packages.stream().filter(p -> p.source().equals(source)).toList();
    }

    /** What the snapshot added or changed over its base. */
    public List<Package> snapshotLayer(String source) {
        return packages(source).stream().filter(p -> "snapshot".equals(p.layer())).toList();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", SCHEMA_VERSION);
        out.put("snapshotId", snapshotId);
        Map<String, Object> imageJson = new LinkedHashMap<>();
        putIfSet(imageJson, "reference", image);
        putIfSet(imageJson, "digest", imageDigest);
        out.put("image", imageJson);
        Map<String, Object> baseJson = new LinkedHashMap<>();
        putIfSet(baseJson, "reference", baseImage);
        putIfSet(baseJson, "digest", baseImageDigest);
        out.put("baseImage", baseJson);
        out.put("os", os);
        Map<String, Object> python = new LinkedHashMap<>();
        putIfSet(python, "version", pythonVersion);
        putIfSet(python, "implementation", pythonImplementation);
        out.put("python", python);
        putIfSet(out, "cuda", cuda);
        putIfSet(out, "cudnn", cudnn);
        out.put("env", env);
        out.put("inputFiles", inputFiles);
        if (condaName != null || !condaChannels.isEmpty()) {
            Map<String, Object> conda = new LinkedHashMap<>();
            putIfSet(conda, "name", condaName);
            conda.put("channels", condaChannels);
            out.put("conda", conda);
        }
        List<Object> pkgs = new ArrayList<>();
        for (Package p : packages) {
            Map<String, Object> pj = new LinkedHashMap<>();
            pj.put("name", p.name());
            pj.put("version", p.version());
            pj.put("source", p.source());
            putIfSet(pj, "hash", p.hash());
            putIfSet(pj, "build", p.build());
            putIfSet(pj, "installer", p.installer());
            putIfSet(pj, "layer", p.layer());
            putIfSet(pj, "url", p.url());
            putIfSet(pj, "channel", p.channel());
            pkgs.add(pj);
        }
        out.put("packages", pkgs);
        return out;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** Pretty, key-sorted JSON: the bytes written to manifest.json. */
    public String render() {
        return Json.pretty(toJson());
    }

    public void write(Path file) {
        Json.writeAtomically(file, render());
    }

    /** The manifest in {@code file}, or null when there is none or it cannot be read (it is then written anew). */
    public static Manifest readIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return fromJson(Json.readObject(file));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Reads a manifest; a file that is not one is invalid input, said in one line. */
    public static Manifest read(Path file, String who) {
        Map<String, Object> json;
        try {
            json = Json.readObject(file);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(who + ": cannot read " + file + " as JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        try {
            return fromJson(json);
        } catch (RuntimeException e) {
            throw new PowerAiException.InvalidInput(who + ": " + file + " is not a snapshot manifest (" + e.getMessage() + ")");
        }
    }

    @SuppressWarnings("unchecked")
    public static Manifest fromJson(Map<String, Object> json) {
        Object schema = json.get("schemaVersion");
        if (!(schema instanceof Integer v) || v != SCHEMA_VERSION) {
            throw new IllegalArgumentException("schemaVersion must be " + SCHEMA_VERSION + ", got " + schema);
        }
        if (!(json.get("packages") instanceof List<?> list)) {
            throw new IllegalArgumentException("'packages' is missing");
        }
        Map<String, Object> image = map(json.get("image"));
        Map<String, Object> base = map(json.get("baseImage"));
        Map<String, Object> python = map(json.get("python"));
        Map<String, Object> conda = map(json.get("conda"));
        List<String> channels = conda.get("channels") instanceof List<?> cl ? cl.stream().map(String::valueOf).toList() : List.of();
        List<Package> packages = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> p = map(o);
            packages.add(new Package(str(p.get("name")), str(p.get("version")), str(p.get("source")), str(p.get("hash")),
                    str(p.get("build")), str(p.get("installer")), str(p.get("layer")), str(p.get("url")), str(p.get("channel"))));
            if (packages.get(packages.size() - 1).name() == null || packages.get(packages.size() - 1).source() == null) {
                throw new IllegalArgumentException("a package lacks its name or source");
            }
        }
        return new Manifest(str(json.get("snapshotId")), str(image.get("reference")), str(image.get("digest")),
                str(base.get("reference")), str(base.get("digest")), strings(json.get("os")), str(python.get("version")),
                str(python.get("implementation")), str(json.get("cuda")), str(json.get("cudnn")), strings(json.get("env")),
                strings(json.get("inputFiles")), str(conda.get("name")), channels, packages);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static SortedMap<String, String> strings(Object o) {
        SortedMap<String, String> out = new TreeMap<>();
        map(o).forEach((k, v) -> out.put(k, Objects.toString(v)));
        return out;
    }

    public Manifest withImage(String reference, String digest) {
        return new Manifest(snapshotId, reference, digest, baseImage, baseImageDigest, os, pythonVersion, pythonImplementation,
                cuda, cudnn, env, inputFiles, condaName, condaChannels, packages);
    }
}
