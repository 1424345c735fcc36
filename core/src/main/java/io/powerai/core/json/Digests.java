package io.powerai.core.json;

import io.powerai.core.files.ProjectPaths;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** SHA-256 of bytes, files and directory trees, as lowercase hex. */
public final class Digests {
    private Digests() {
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Every regular file under {@code dir}, by path relative to it ('/'-separated), with its SHA-256. */
    public static SortedMap<String, String> sha256Tree(Path dir) {
        return sha256Tree(dir, Set.of());
    }

    /** As {@link #sha256Tree(Path)}, leaving out top-level entries named in {@code excludedTopLevel}. */
    public static SortedMap<String, String> sha256Tree(Path dir, Set<String> excludedTopLevel) {
        return sha256Tree(dir, dir, excludedTopLevel, "hashing " + dir);
    }

    /**
     * As {@link #sha256Tree(Path)}, walked by {@link ProjectPaths#files}: links are followed only where their real
     * target stays inside {@code root}; others, and special files, are refused (exit 2, {@code where} first).
     */
    public static SortedMap<String, String> sha256Tree(Path dir, Path root, Set<String> excludedTopLevel, String where) {
        SortedMap<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        ProjectPaths.files(dir, root, excludedTopLevel, where).forEach((relative, real) -> files.put(relative, sha256Checked(real)));
        return files;
    }

    private static String sha256Checked(Path real) {
        try (InputStream in = ProjectPaths.open(real)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + real + ": " + e.getMessage(), e);
        }
    }

    /** One digest for a whole tree: the SHA-256 of its canonical listing of paths and file digests. */
    public static String sha256OfTree(Path dir) {
        return sha256OfTree(dir, Set.of());
    }

    public static String sha256OfTree(Path dir, Set<String> excludedTopLevel) {
        return sha256(Json.canonicalBytes(sha256Tree(dir, excludedTopLevel)));
    }

    /** As {@link #sha256OfTree(Path)}, walked as {@link #sha256Tree(Path, Path, Set, String)}. */
    public static String sha256OfTree(Path dir, Path root, Set<String> excludedTopLevel, String where) {
        return sha256(Json.canonicalBytes(sha256Tree(dir, root, excludedTopLevel, where)));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
