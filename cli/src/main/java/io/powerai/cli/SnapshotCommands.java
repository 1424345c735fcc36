package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Json;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.result.StageResults;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.ManifestDiff;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.environment.SnapshotVerification;
import io.powerai.core.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code powerai snapshot diff} and {@code powerai snapshot verify}: comparing environments, and checking the lock. */
final class SnapshotCommands {
    private SnapshotCommands() {
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Compare two snapshots: packages added, removed and changed, base image digest, OS, Python.",
                    "A and B: a manifest.json, an amlEnvSnapshot.json result, or a workspace or project folder holding .powerai/.",
                    "Exit 0 when they are the same, 1 when they differ, 2 when A or B is not a snapshot."})
    static final class Diff implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;
        @Parameters(index = "0", paramLabel = "A")
        Path a;
        @Parameters(index = "1", paramLabel = "B")
        Path b;
        @Option(names = "--json", description = "Print the differences as JSON (schemaVersion 1) instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
            ManifestDiff diff = ManifestDiff.of(a.toString(), load(a, "A"), b.toString(), load(b, "B"));
            top.console.line(json ? Json.pretty(diff.toJson()).stripTrailing() : diff.table().stripTrailing());
            return diff.identical() ? 0 : 1;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Rebuild the last snapshot from its lock files alone (no build cache), look inside the rebuilt image,",
                    "and compare it with the manifest. Exit 0 at zero drift; 1 with the differences when it drifted or does",
                    "not rebuild; the report is written to .powerai/environment/verify.json."})
    static final class Verify implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;
        @Mixin
        PowerAiCommand.Common common;
        @Option(names = "--json", description = "Print the differences as JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
            SnapshotVerification.Outcome outcome = SnapshotVerification.run(common.context(top, Stage.SNAPSHOT));
            if (json) {
                top.console.line(Json.pretty(outcome.diff().toJson()).stripTrailing());
            } else if (outcome.drift()) {
                top.console.line(outcome.diff().table().stripTrailing());
            }
            if (outcome.drift()) {
                top.err.println("amlEnvSnapshot: the image rebuilt from the lock files differs from the manifest (drift; see "
                        + outcome.report() + ")");
                return 1;
            }
            top.console.line("verified: zero drift (" + outcome.diff().a().packages().size() + " packages, rebuilt as "
                    + outcome.rebuiltImage() + ")");
            return 0;
        }
    }

    /**
     * A manifest from what the user named: the manifest itself, a stage result that points to one, or a folder
     * (a project with .powerai/, or .powerai/ itself).
     */
    static Manifest load(Path given, String which) {
        Path path = given.toAbsolutePath().normalize();
        if (Files.isDirectory(path)) {
            Path inWorkspace = path.resolve(Workspace.DIR_NAME).resolve(Stage.SNAPSHOT.section()).resolve(SnapshotFiles.MANIFEST);
            Path inDotDir = path.resolve(Stage.SNAPSHOT.section()).resolve(SnapshotFiles.MANIFEST);
            path = Files.isRegularFile(inWorkspace) ? inWorkspace : inDotDir;
        }
        if (!Files.isRegularFile(path)) {
            throw new PowerAiException.InvalidInput("snapshot diff: '" + which + "' must be a manifest.json, an amlEnvSnapshot.json "
                    + "result or a folder holding .powerai/environment/manifest.json; got '" + given + "' (not found)");
        }
        Map<String, Object> json;
        try {
            json = Json.readObject(path);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput("snapshot diff: '" + which + "' must be JSON; got '" + given + "' ("
                    + e.getMessage().lines().findFirst().orElse("unreadable") + ")");
        }
        if (Stage.SNAPSHOT.stepName().equals(json.get("stage"))) {
            String manifest = snapshotResult(path, which, given).manifest();
            if (manifest == null) {
                throw new PowerAiException.InvalidInput("snapshot diff: '" + which + "' is a result without a manifest (made by an older"
                        + " powerai; snapshot again); got '" + given + "'");
            }
            return Manifest.read(path.getParent().resolve(manifest), "snapshot diff");
        }
        try {
            return Manifest.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new PowerAiException.InvalidInput("snapshot diff: '" + which + "' must be a snapshot manifest or result; got '"
                    + given + "' (" + e.getMessage() + ")");
        }
    }

    private static SnapshotResult snapshotResult(Path path, String which, Path given) {
        try {
            return StageResults.read(path, SnapshotResult.class);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput("snapshot diff: '" + which + "' must be a snapshot manifest or result; got '"
                    + given + "' (" + e.getMessage().lines().findFirst().orElse("unreadable") + ")");
        }
    }
}
