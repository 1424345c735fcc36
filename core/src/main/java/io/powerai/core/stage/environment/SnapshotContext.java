package io.powerai.core.stage.environment;

import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Json;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The build context of a snapshot image. */
final class SnapshotContext {
    private SnapshotContext() {
    }

    /** The Dockerfile, every input file under project/ at its path, the derived requirements. */
    static void write(Path context, String dockerfile, EnvironmentSpec env, Derived derived) {
        try {
            ProjectPaths.deleteTree(context);
            Files.createDirectories(context);
            Json.writeAtomically(context.resolve("Dockerfile"), dockerfile);
            Path project = env.projectDir();
            String where = Stage.SNAPSHOT.stepName() + ": input files";
            for (String rel : env.inputFiles().keySet()) {
                Path from = project.resolve(rel.equals("./") ? "." : rel);
                Path to = context.resolve("project").resolve(rel.equals("./") ? "." : rel).normalize();
                // Plain files only, each checked again as it is copied: links resolved, none out of the project.
                if (rel.endsWith("/")) {
                    ProjectPaths.copyTree(from, project, Set.of(Workspace.DIR_NAME), to, where);
                } else {
                    ProjectPaths.copyFile(ProjectPaths.requireInside(project, from, where).toRealPath(), to);
                }
            }
            if (derived != null && !derived.pip().isEmpty()) {
                Files.writeString(context.resolve(SnapshotDockerfile.CAPTURED_REQUIREMENTS), derived.requirementsFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + context + ": " + e.getMessage(), e);
        }
    }
}
