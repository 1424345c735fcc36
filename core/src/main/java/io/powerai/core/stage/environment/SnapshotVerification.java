package io.powerai.core.stage.environment;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.snapshot.Capture;
import io.powerai.core.snapshot.LockFiles;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.ManifestDiff;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.StageContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code powerai snapshot verify}: rebuilds the snapshot from its lock files alone (base by digest, apt pins,
 * conda lock, pip lock with hashes, no build cache), looks inside the rebuilt image, and compares it with the
 * manifest. Zero drift means the lock files are enough to get the same environment back.
 */
public final class SnapshotVerification {
    private static final Stage STAGE = Stage.SNAPSHOT;

    private SnapshotVerification() {
    }

    /** The comparison, the rebuilt image's tag, and where the report was written. */
    public record Outcome(ManifestDiff diff, String rebuiltImage, Path report) {
        public boolean drift() {
            return !diff.identical();
        }
    }

    public static Outcome run(StageContext ctx) {
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path manifestFile = stageDir.resolve(SnapshotFiles.MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": no snapshot manifest at " + manifestFile
                    + " (run 'powerai snapshot' first)");
        }
        Manifest manifest = Manifest.read(manifestFile, STAGE.stepName());
        Path dir = stageDir.resolve("verify");
        String requirements = lockText(stageDir, LockFiles.REQUIREMENTS, LockFiles.requirements(manifest, List.of()));
        String conda = lockText(stageDir, LockFiles.CONDA, LockFiles.conda(manifest));
        boolean pip = !LockFilesView.pipPins(requirements).isEmpty();
        String dockerfile = renderDockerfile(manifest, pip, conda != null, requirements.contains("--hash="));
        try {
            io.powerai.core.files.ProjectPaths.deleteTree(dir);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("Dockerfile"), dockerfile);
            Files.writeString(dir.resolve(LockFiles.REQUIREMENTS), requirements);
            if (conda != null) {
                Files.writeString(dir.resolve(LockFiles.CONDA), conda);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the verification context " + dir + ": " + e.getMessage(), e);
        }
        String id = manifest.snapshotId() == null ? "unknown" : manifest.snapshotId();
        String tag = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-env", "verify-" + id.substring(0, Math.min(12, id.length())))
                .toString();
        events.progress("rebuilding snapshot " + id.substring(0, Math.min(12, id.length())) + " from its lock files, without cache, as " + tag);
        ctx.engine().ensureAvailable();
        ProcessRunner.Result build = ctx.engine().build(dir, tag, true, events::log);
        if (build.exitCode() != 0) {
            audit(ctx, manifestFile, null, id, "drifted", -1);
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": the lock files do not rebuild: building "
                    + tag + " failed (exit " + build.exitCode() + "): " + build.lastLines(1));
        }
        events.progress("looking inside " + tag);
        Capture.Captured rebuilt = Capture.run(ctx.engine(), tag, line -> { });
        Manifest again = new Manifest(manifest.snapshotId(), tag, null, manifest.baseImage(), manifest.baseImageDigest(),
                rebuilt.osRelease(), rebuilt.pythonVersion(), rebuilt.pythonImplementation(), manifest.cuda(), manifest.cudnn(),
                manifest.env(), manifest.inputFiles(), rebuilt.condaPresent() ? rebuilt.condaName() : null, rebuilt.condaChannels(),
                Manifest.packages(rebuilt, null));
        ManifestDiff diff = ManifestDiff.of(ctx.workspace().dir().relativize(manifestFile).toString(), manifest, "rebuilt " + tag, again);
        Path report = stageDir.resolve("verify.json");
        Json.writeAtomically(report, Json.pretty(diff.toJson()));
        int differences = diff.added().size() + diff.removed().size() + diff.changed().size() + diff.fields().size();
        audit(ctx, manifestFile, report, id, diff.identical() ? "verified" : "drifted", differences);
        events.progress(diff.identical() ? "zero drift: the rebuilt image has the same " + manifest.packages().size() + " packages"
                : "drift: " + differences + " difference(s) between the manifest and the rebuilt image");
        return new Outcome(diff, tag, report);
    }

    private static void audit(StageContext ctx, Path manifestFile, Path report, String id, String status, int differences) {
        Map<String, String> inputs = new TreeMap<>();
        inputs.put(SnapshotFiles.MANIFEST, Digests.sha256(manifestFile));
        Map<String, String> outputs = new TreeMap<>();
        if (report != null) {
            outputs.put("verify.json", Digests.sha256(report));
        }
        Map<String, Object> details = new TreeMap<>();
        details.put("snapshotId", id);
        details.put("check", "verify");
        details.put("differences", differences);
        ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), status, inputs, outputs, details));
    }

    private static String lockText(Path dir, String name, String fallback) {
        Path file = dir.resolve(name);
        return Files.isRegularFile(file) ? SnapshotFiles.textOrEmpty(file) : fallback;
    }

    /** The Dockerfile that installs the lock files over the base pinned by digest, nothing else. */
    static String renderDockerfile(Manifest m, boolean pip, boolean conda, boolean hashes) {
        DockerfileWriter out = new DockerfileWriter();
        out.comment("Rendered by powerai (amlEnvSnapshot verify) from the lock files of snapshot " + m.snapshotId() + ". Do not edit.");
        out.from(ImageReference.parse(m.baseImage()).pinned(m.baseImageDigest()).toString());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("io.powerai.snapshot-id", String.valueOf(m.snapshotId()));
        labels.put("io.powerai.verify", "true");
        out.labels(labels, true);
        out.env(m.env());
        List<Manifest.Package> apt = m.snapshotLayer(Manifest.SOURCE_APT);
        if (!apt.isEmpty()) {
            out.run(InstallCommands.apt(" --allow-downgrades", apt.stream().map(p -> p.name() + "=" + p.version()).toList()));
        }
        String home = InstallCommands.IMAGE_HOME;
        if (conda) {
            out.copy(LockFiles.CONDA, home + "/" + LockFiles.CONDA);
            out.run(InstallCommands.condaEnvUpdate(home + "/" + LockFiles.CONDA));
        }
        if (pip) {
            out.copy(LockFiles.REQUIREMENTS, home + "/" + LockFiles.REQUIREMENTS);
            out.run(InstallCommands.pipInstallLock(home + "/" + LockFiles.REQUIREMENTS, hashes));
        }
        return out.toString();
    }

    /** Reads back what a requirements lock pins (for deciding whether pip has anything to do). */
    static final class LockFilesView {
        private LockFilesView() {
        }

        static List<String> pipPins(String lock) {
            return lock.lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("-")).toList();
        }
    }
}
