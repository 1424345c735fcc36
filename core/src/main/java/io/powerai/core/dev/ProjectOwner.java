package io.powerai.core.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * Who Jupyter runs as: the uid:gid that owns the project folder, so that what it writes belongs to the project's
 * owner. Never uid 0: a project owned by root is handed to {@link #STAND_IN} while the server runs, and given back
 * to root when it stops.
 */
public record ProjectOwner(int uid, int gid) {
    /** The unprivileged uid and gid that stand in for root (distroless images call it "nonroot"). */
    public static final int STAND_IN = 65532;

    public static ProjectOwner of(Path dir) {
        try {
            return new ProjectOwner((Integer) Files.getAttribute(dir, "unix:uid"), (Integer) Files.getAttribute(dir, "unix:gid"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new UncheckedIOException(new IOException("cannot read the owner of " + dir + ": " + e.getMessage(), e));
        }
    }

    public boolean isRoot() {
        return uid == 0;
    }

    /** The uid:gid Jupyter runs as. */
    public ProjectOwner runAs() {
        return isRoot() ? new ProjectOwner(STAND_IN, STAND_IN) : this;
    }

    public String engineUser() {
        return uid + ":" + gid;
    }

    /**
     * Gives every entry under {@code root} owned by {@code fromUid} to {@code to}, except the top-level names in
     * {@code skip}. Links are never followed (a link's own owner changes, never its target's), and a file with more
     * than one hard link is left alone: its other names may be outside the project. Returns how many entries changed.
     */
    public static int handOver(Path root, int fromUid, ProjectOwner to, Set<String> skip) {
        int[] changed = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path rel = root.relativize(dir);
                    if (rel.getNameCount() == 1 && skip.contains(rel.toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    give(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path rel = root.relativize(file);
                    boolean skipped = rel.getNameCount() == 1 && skip.contains(rel.toString());
                    boolean linkedElsewhere = attrs.isRegularFile()
                            && (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1;
                    if (!skipped && !linkedElsewhere) {
                        give(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: nothing to give
                }

                private void give(Path p) throws IOException {
                    if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) == fromUid) {
                        Files.setAttribute(p, "unix:uid", to.uid(), LinkOption.NOFOLLOW_LINKS);
                        Files.setAttribute(p, "unix:gid", to.gid(), LinkOption.NOFOLLOW_LINKS);
                        changed[0]++;
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot change the owner of files under " + root + ": " + e.getMessage(), e);
        }
        return changed[0];
    }
}
