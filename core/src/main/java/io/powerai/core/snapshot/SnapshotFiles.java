package io.powerai.core.snapshot;

import io.powerai.core.files.ProjectPaths;
import io.powerai.core.spec.Stage;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a snapshot's files lie in a workspace ({@code .powerai/environment/}): its manifest, its lock files, the GPU
 * stack of the host it was taken on. Named once here for the stage that writes them and for those that read them
 * (verify, diff, the scoring image's attestation, the dev environment).
 */
public final class SnapshotFiles {
    public static final String MANIFEST = "manifest.json";
    /** The GPU stack of the host the snapshot was taken on, when it has GPUs. */
    public static final String GPU_STACK = "gpu-stack.json";

    private SnapshotFiles() {
    }

    /** The manifest of the last snapshot in a workspace's stage folder, for verify, diff and the scoring image. */
    public static Path manifestFile(Workspace workspace) {
        Stage stage = Stage.SNAPSHOT;
        Path file = workspace.dir().resolve(stage.section()).resolve(MANIFEST);
        // Read back and quoted in messages: a committed link must not show a host file's first bytes.
        ProjectPaths.requireNoLink(file.getParent(), Workspace.DIR_NAME + "/" + stage.section(), stage.stepName());
        ProjectPaths.requireNoLink(file, Workspace.DIR_NAME + "/" + stage.section() + "/" + MANIFEST, stage.stepName());
        return file;
    }

    /** The text of a file powerai wrote earlier, or "" when there is none or it cannot be read (then it is written again). */
    public static String textOrEmpty(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
