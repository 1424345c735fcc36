package io.powerai.cli;

import io.powerai.core.spec.StageDescriptor;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The stage descriptors' artifacts against a workspace that real stage runs left: every artifact a successful run
 * always writes must match a file, so that a pattern naming a file the stage does not write (a renamed log, a moved
 * folder) fails here instead of archiving nothing in Jenkins, where allowEmptyArchive hides it.
 */
final class DescribedArtifacts {
    private DescribedArtifacts() {
    }

    /** The "always" artifacts of {@code descriptor} that match no file under {@code root} (the workspace's root). */
    static List<String> missing(StageDescriptor descriptor, Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).map(root::relativize).toList();
        }
        List<String> missing = new ArrayList<>();
        for (StageDescriptor.Artifact artifact : descriptor.artifacts()) {
            if (!artifact.always()) {
                continue;
            }
            // Ant's ** and Java's glob ** both cross folders; a folder pattern (x/**) needs a file inside.
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + artifact.pattern());
            if (files.stream().noneMatch(matcher::matches)) {
                missing.add(artifact.pattern());
            }
        }
        return missing;
    }
}
