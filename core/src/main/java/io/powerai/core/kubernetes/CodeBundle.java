package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.powerai.core.PowerAiException;
import io.powerai.core.files.ProjectPaths;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The project's files as one ConfigMap, which the training pod mounts read-only: how code (and a small
 * {@code data} folder) reach a pod without a shared file system or an image build. Kubernetes keeps a ConfigMap's
 * keys and values within {@value #MAX_BYTES} bytes; a project over that is refused before any call, naming its
 * largest files. Keys cannot hold '/', so each file gets a key of its own and the volume's items put it back at
 * its path.
 */
public final class CodeBundle {
    /** Kubernetes' limit on a ConfigMap's keys and values together (1 MiB). */
    public static final long MAX_BYTES = 1024 * 1024;

    /** One file: where it goes (relative, '/'-separated), its ConfigMap key, its bytes. */
    public record File(String path, String key, byte[] bytes) {
        boolean text() {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }
    }

    private final List<File> files;
    private final String dataPrefix;

    private CodeBundle(List<File> files, String dataPrefix) {
        this.files = List.copyOf(files);
        this.dataPrefix = dataPrefix;
    }

    /**
     * Every regular file under {@code projectDir} but the top-level entries {@code excluded} (the workspace, .git),
     * in path order.
     *
     * @param dataDir the data folder inside the project (its files are also mounted at the data path), or null
     * @throws PowerAiException.InvalidInput when the files do not fit in a ConfigMap
     */
    public static CodeBundle of(String stage, Path projectDir, Set<String> excluded, Path dataDir) {
        // Links are resolved and refused where they leave the project: a pull request must not ship host files to the pod.
        SortedMap<String, Path> checked = ProjectPaths.files(projectDir, projectDir, excluded, stage + ": the project's code");
        long total = 0;
        int index = 0;
        for (Map.Entry<String, Path> file : checked.entrySet()) {
            total += key(index++, file.getKey()).length() + sizeOf(file.getValue());
        }
        if (total > MAX_BYTES) {
            throw PowerAiException.InvalidInput.bare("the project's files come to " + size(total) + ", over the "
                    + size(MAX_BYTES) + " a ConfigMap holds (backend 'kubernetes' sends the code and 'data' to the pod in one "
                    + "ConfigMap); largest: " + largest(checked) + "; put large data on a PersistentVolumeClaim "
                    + "('data_claim') or into the image, and keep other large files out of " + projectDir);
        }
        List<File> files = new ArrayList<>();
        for (Map.Entry<String, Path> file : checked.entrySet()) {
            String relative = file.getKey();
            try (InputStream in = ProjectPaths.open(file.getValue())) {
                files.add(new File(relative, key(files.size(), relative), in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file.getValue() + ": " + e.getMessage(), e);
            }
        }
        String dataPrefix = null;
        if (dataDir != null) {
            String relative = relative(projectDir, dataDir);
            dataPrefix = relative.isEmpty() ? "" : relative + "/";
        }
        return new CodeBundle(files, dataPrefix);
    }

    /** A valid ConfigMap key ([-._a-zA-Z0-9]+, at most 253) that is unique by its index and readable by its name. */
    static String key(int index, String path) {
        String name = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^-._a-zA-Z0-9]", "_");
        String key = "f" + index + "-" + name;
        return key.length() > 253 ? key.substring(0, 253) : key;
    }

    public List<File> files() {
        return files;
    }

    /** Bytes as Kubernetes counts them against its limit: keys and values. */
    public long size() {
        return files.stream().mapToLong(f -> f.key().length() + f.bytes().length).sum();
    }

    /** The ConfigMap: text files as data, others as binaryData; immutable (the kubelet need not watch it). */
    public ConfigMap configMap(String name, String namespace, Map<String, String> labels) {
        Map<String, String> data = new LinkedHashMap<>();
        Map<String, String> binary = new LinkedHashMap<>();
        for (File f : files) {
            if (f.text()) {
                data.put(f.key(), new String(f.bytes(), StandardCharsets.UTF_8));
            } else {
                binary.put(f.key(), Base64.getEncoder().encodeToString(f.bytes()));
            }
        }
        return new ConfigMapBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withImmutable(true)
                .withData(data.isEmpty() ? null : data)
                .withBinaryData(binary.isEmpty() ? null : binary)
                .build();
    }

    /** The items of the project volume: every file at its path. */
    public List<KeyToPath> projectItems() {
        return files.stream().map(f -> new KeyToPathBuilder().withKey(f.key()).withPath(f.path()).build()).toList();
    }

    /** The items of the data volume: the data folder's files, at their paths inside it; empty without one. */
    public List<KeyToPath> dataItems() {
        if (dataPrefix == null) {
            return List.of();
        }
        return files.stream().filter(f -> f.path().startsWith(dataPrefix))
                .map(f -> new KeyToPathBuilder().withKey(f.key()).withPath(f.path().substring(dataPrefix.length())).build()).toList();
    }

    public boolean hasData() {
        return dataPrefix != null;
    }

    private static String largest(SortedMap<String, Path> files) {
        List<String> out = new ArrayList<>();
        files.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, Path> f) -> sizeOf(f.getValue())).reversed()).limit(3)
                .forEach(f -> out.add(f.getKey() + " (" + size(sizeOf(f.getValue())) + ")"));
        return String.join(", ", out);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static String relative(Path projectDir, Path file) {
        return projectDir.relativize(file).toString().replace('\\', '/');
    }

    static String size(long bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return bytes >= 1024 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0) : bytes + " bytes";
    }
}
