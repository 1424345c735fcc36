package io.powerai.library;

import com.lesfurets.jenkins.unit.global.lib.SourceRetriever;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

/**
 * Serves the library from the repository root (vars/, src/, resources/), whatever the version asked for:
 * JenkinsPipelineUnit 1.1's LocalSource expects a folder named {@code name@version} instead.
 */
final class ProjectRootRetriever implements SourceRetriever {
    private final Path root;

    ProjectRootRetriever(Path root) {
        this.root = root;
    }

    @Override
    public List<URL> retrieve(String repository, String branch, String targetPath) {
        try {
            return List.of(root.toUri().toURL());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
