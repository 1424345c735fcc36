package io.powerai.core.files;

import io.powerai.core.PowerAiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The one rule for every path powerai reads, copies, hashes, mounts or writes, since project files come from pull
 * requests: a path is taken by its real location (links resolved), and whatever leaves its root (the project, or
 * the training outputs) is refused, naming the link and where it points. A link whose real target stays inside the
 * root is followed (a dataset's {@code latest -> v3}); a dangling link, a link cycle and a special file (device,
 * fifo, socket: reading one may block or never end) are refused. Nothing is ever copied as a link, so a build
 * context holds plain files only. Files are opened with {@code NOFOLLOW_LINKS}, so a file swapped for a link after
 * the check fails instead of being followed.
 *
 * <p>Refusals are {@link PowerAiException.InvalidInput} (exit 2) whose message starts with the caller's
 * {@code where} ("scoringImage: 'model'").
 */
public final class ProjectPaths {
    private ProjectPaths() {
    }

    /**
     * Why {@code path} may not be used as inside {@code root}, or empty when it may: it is lexically inside, no link
     * on the way leaves the root's real location, and it is a file or a folder (or does not exist: the caller says
     * whether that is a problem).
     */
    public static Optional<String> whyRefused(Path root, Path path) {
        Path absRoot = root.toAbsolutePath().normalize();
        Path abs = path.toAbsolutePath().normalize();
        if (!abs.startsWith(absRoot)) {
            return Optional.of("'" + abs + "' is outside " + absRoot);
        }
        Path realRoot;
        try {
            realRoot = absRoot.toRealPath();
        } catch (IOException e) {
            return Optional.empty(); // no root yet: nothing under it either
        }
        Path current = absRoot;
        for (Path name : absRoot.relativize(abs)) {
            if (name.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(name);
            BasicFileAttributes attributes = attributes(current, true);
            if (attributes == null) {
                return Optional.empty();
            }
            if (attributes.isSymbolicLink()) {
                Optional<String> escape = linkEscape(current, absRoot.relativize(current).toString(), realRoot, absRoot);
                if (escape.isPresent()) {
                    return escape;
                }
            }
        }
        BasicFileAttributes target = attributes(abs, false);
        if (target != null && !target.isRegularFile() && !target.isDirectory()) {
            return Optional.of("'" + absRoot.relativize(abs) + "' is a special file (a device, fifo or socket), not a file or folder");
        }
        return Optional.empty();
    }

    /** {@code path} when {@link #whyRefused} finds nothing; else exit 2 with {@code where} and the reason. */
    public static Path requireInside(Path root, Path path, String where) {
        whyRefused(root, path).ifPresent(reason -> {
            throw refused(where, reason);
        });
        return path.toAbsolutePath().normalize();
    }

    /**
     * Every regular file under {@code dir} (which must be inside {@code root}) by its '/'-separated path relative to
     * {@code dir}, mapped to the real file to read; top-level entries named in {@code excludedTopLevel} are left out.
     * Walked without following links except those whose real target stays inside {@code root}.
     */
    public static SortedMap<String, Path> files(Path dir, Path root, Set<String> excludedTopLevel, String where) {
        requireInside(root, dir, where);
        SortedMap<String, Path> files = new TreeMap<>();
        try {
            Path realRoot = root.toAbsolutePath().normalize().toRealPath();
            Path realDir = dir.toRealPath();
            if (!Files.isDirectory(realDir)) {
                files.put(dir.getFileName().toString(), realDir);
                return files;
            }
            Deque<Path> walking = new ArrayDeque<>(List.of(realDir));
            walk(realDir, "", realRoot, root.toAbsolutePath().normalize(), excludedTopLevel, walking, files, where);
        } catch (NoSuchFileException e) {
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    private static void walk(Path realDir, String prefix, Path realRoot, Path root, Set<String> excludedTopLevel,
                             Deque<Path> walking, SortedMap<String, Path> files, String where) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(realDir)) {
            stream.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(Path::toString));
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (prefix.isEmpty() && excludedTopLevel.contains(name)) {
                continue;
            }
            String relative = prefix + name;
            BasicFileAttributes attributes = attributes(entry, true);
            Path real = entry;
            if (attributes != null && attributes.isSymbolicLink()) {
                Optional<String> escape = linkEscape(entry, relative, realRoot, root);
                if (escape.isPresent()) {
                    throw refused(where, escape.get());
                }
                real = entry.toRealPath();
                attributes = attributes(real, true);
            }
            if (attributes == null) {
                continue; // removed while walking
            }
            if (attributes.isDirectory()) {
                if (walking.contains(real)) {
                    throw refused(where, "'" + relative + "' is a link back to a folder it is in (a cycle)");
                }
                walking.push(real);
                walk(real, relative + "/", realRoot, root, excludedTopLevel, walking, files, where);
                walking.pop();
            } else if (attributes.isRegularFile()) {
                files.put(relative, real);
            } else {
                throw refused(where, "'" + relative + "' is a special file (a device, fifo or socket), not a file");
            }
        }
    }

    /** Copies every file of {@link #files} into {@code to} (created), as plain files. */
    public static void copyTree(Path dir, Path root, Set<String> excludedTopLevel, Path to, String where) {
        files(dir, root, excludedTopLevel, where).forEach((relative, real) -> copyFile(real, to.resolve(relative)));
    }

    /** Copies one file already checked (a real path from {@link #files} or {@link #requireInside}) to {@code to}. */
    public static void copyFile(Path checked, Path to) {
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            try (InputStream in = open(checked);
                 OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + checked + " to " + to + ": " + e.getMessage(), e);
        }
    }

    /** Opens a checked regular file; a link swapped in after the check fails (O_NOFOLLOW). */
    public static InputStream open(Path checked) throws IOException {
        return Files.newInputStream(checked, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** The text of {@code file} inside {@code root}: refused as {@link #requireInside}, and when it is no regular file. */
    public static String readString(Path root, Path file, String where) throws IOException {
        Path checked = requireInside(root, file, where);
        if (!Files.isRegularFile(checked)) {
            throw new NoSuchFileException(checked.toString());
        }
        try (InputStream in = open(checked.toRealPath())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Refuses a link or a special file at {@code path} itself (what powerai writes into, under {@code .powerai}, where
     * it never makes links); a missing path is fine.
     */
    public static void requireNoLink(Path path, String shownAs, String where) {
        BasicFileAttributes attributes = attributes(path, true);
        if (attributes == null) {
            return;
        }
        if (attributes.isSymbolicLink()) {
            String target;
            try {
                target = Files.readSymbolicLink(path).toString();
            } catch (IOException e) {
                target = "?";
            }
            throw refused(where, "'" + shownAs + "' is a link to " + target + "; powerai never makes links there: remove it");
        }
        if (!attributes.isRegularFile() && !attributes.isDirectory()) {
            throw refused(where, "'" + shownAs + "' is a special file (a device, fifo or socket); remove it");
        }
    }

    /** Deletes {@code dir} and everything under it; links are removed, never followed. */
    public static void deleteTree(Path dir) {
        if (attributes(dir, true) == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) { // Files.walk does not follow links, the start included
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> linkEscape(Path link, String shownAs, Path realRoot, Path root) {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            target = "?";
        }
        Path real;
        try {
            real = link.toRealPath();
        } catch (IOException e) {
            return Optional.of("'" + shownAs + "' is a link to " + target + ", which does not exist");
        }
        if (!real.startsWith(realRoot)) {
            return Optional.of("'" + shownAs + "' is a link to " + target + (target.equals(real.toString()) ? "" : " (" + real + ")")
                    + ", outside " + root);
        }
        return Optional.empty();
    }

    private static BasicFileAttributes attributes(Path path, boolean noFollow) {
        try {
            return noFollow ? Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    : Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    private static PowerAiException.InvalidInput refused(String where, String reason) {
        return new PowerAiException.InvalidInput(where + " refused: " + reason
                + " (rule: every path powerai reads, copies, hashes or mounts stays inside its folder, links resolved)");
    }
}
