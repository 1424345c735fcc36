package io.powerai.core.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

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
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Every regular file under {@code dir}, by path relative to it ('/'-separated), with its SHA-256. */
    public static SortedMap<String, String> sha256Tree(Path dir) {
        return sha256Tree(dir, Set.of());
    }

    /** As {@link #sha256Tree(Path)}, leaving out top-level entries named in {@code excludedTopLevel}. */
    public static SortedMap<String, String> sha256Tree(Path dir, Set<String> excludedTopLevel) {
        SortedMap<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> regular = walk.filter(Files::isRegularFile)
                    .filter(p -> !excludedTopLevel.contains(dir.relativize(p).getName(0).toString()))
                    .toList();
            for (Path file : regular) {
                files.put(dir.relativize(file).toString().replace('\\', '/'), sha256(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    /** One digest for a whole tree: the SHA-256 of its canonical listing of paths and file digests. */
    public static String sha256OfTree(Path dir) {
        return sha256OfTree(dir, Set.of());
    }

    public static String sha256OfTree(Path dir, Set<String> excludedTopLevel) {
        return sha256(Json.canonicalBytes(sha256Tree(dir, excludedTopLevel)));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
