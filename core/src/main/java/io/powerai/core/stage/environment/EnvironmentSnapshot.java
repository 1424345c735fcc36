package io.powerai.core.stage.environment;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.RegistryAttestations;
import io.powerai.core.attest.StageAttestations;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.event.StageEvents;
import io.powerai.core.gpu.GpuStack;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.result.Attestations;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.result.StageResult;
import io.powerai.core.snapshot.Capture;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.ImageBuild;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.StageContext;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * EO: pins the experiment environment. The snapshot id ({@link SnapshotIdentity}) names the image, so an unchanged
 * environment is never built twice. After a build, the image is looked into (what pip, conda and dpkg installed) and
 * the manifest and lock files are written from what was found. This class runs the steps in order and records them;
 * each step is a class of its own in this package.
 */
public final class EnvironmentSnapshot {
    static final Stage STAGE = Stage.SNAPSHOT;

    private EnvironmentSnapshot() {
    }

    /** Runs the stage; stopped (the context's cancellation aborted), it is recorded as aborted, its build stopped. */
    public static SnapshotResult run(StageContext ctx) {
        ctx.spec().require(STAGE);
        try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
            return runInFlight(ctx);
        }
    }

    private static SnapshotResult runInFlight(StageContext ctx) {
        EnvironmentSpec env = ctx.spec().environment();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        env.warnings().forEach(events::warning);

        ImageReference base = env.baseImage();
        ImageReference pinnedBase = pin(ctx, base, "base_image");
        ImageReference pinnedCapture = env.captureFrom() == null ? null : pin(ctx, env.captureFrom(), "capture_from");

        Map<String, String> inputFiles = env.inputFiles();
        String id = SnapshotIdentity.snapshotId(env, pinnedBase, inputFiles, pinnedCapture);
        ImageReference target = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-env", id);
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path context = stageDir.resolve("context");
        Path manifestFile = stageDir.resolve(SnapshotFiles.MANIFEST);
        events.progress("snapshot " + id.substring(0, 12) + " of base " + pinnedBase);

        Optional<String> existing = ctx.registry().digest(target);
        Manifest previous = existing.isPresent() ? Manifest.readIfPresent(manifestFile) : null;
        boolean unchanged = previous != null && id.equals(previous.snapshotId()) && existing.get().equals(previous.imageDigest());
        boolean built = existing.isEmpty();
        String dockerfile;
        Manifest manifest;
        if (unchanged) {
            manifest = previous;
            dockerfile = pinnedCapture == null ? SnapshotDockerfile.render(ctx.spec().name(), env, base, pinnedBase, id) : null;
            if (dockerfile != null) {
                SnapshotContext.write(context, dockerfile, env, null);
            }
            events.progress("registry already has " + target + " (" + existing.get() + "): inputs unchanged, build skipped");
        } else {
            Derived derived = pinnedCapture == null ? null : Derivation.derive(ctx, env, pinnedCapture, pinnedBase, events);
            boolean pipInstall = env.pip() != null || (derived != null && !derived.pip().isEmpty());
            if (built && BasePipProbe.needed(env, pipInstall, derived != null && !derived.conda().isEmpty())) {
                BasePipProbe.requirePip(ctx.engine(), base, pinnedBase, stageDir, STAGE.stepName(),
                        env.pip() != null ? "pip_requirements" : "capture_from");
            }
            dockerfile = SnapshotDockerfile.render(ctx.spec().name(), env, derived, base, pinnedBase, id);
            SnapshotContext.write(context, dockerfile, env, derived);
            String digest;
            if (existing.isPresent()) {
                digest = existing.get();
                events.progress("registry already has " + target + " (" + digest + "): inputs unchanged, build skipped");
            } else {
                digest = buildAndPush(ctx, context, target, events);
            }
            ctx.engine().ensureAvailable();
            events.progress("looking inside " + target.pinned(digest) + " (pip, conda, dpkg)");
            Capture.Captured image = Capture.run(ctx.engine(), target.pinned(digest).toString(), line -> { });
            Capture.Captured baseCapture = Capture.run(ctx.engine(), pinnedBase.toString(), line -> { });
            manifest = manifest(id, target, digest, base, pinnedBase, env, image, baseCapture);
            manifest.write(manifestFile);
        }
        if (dockerfile == null) {
            dockerfile = SnapshotFiles.textOrEmpty(context.resolve("Dockerfile"));
        }
        Map<String, String> locks = SnapshotLocks.write(stageDir, manifest, SnapshotLocks.indexOptions(env));
        events.progress(manifest.packages().size() + " packages pinned (" + count(manifest, Manifest.SOURCE_PIP) + " pip, "
                + count(manifest, Manifest.SOURCE_CONDA) + " conda, " + count(manifest, Manifest.SOURCE_APT) + " apt); manifest "
                + ctx.workspace().dir().relativize(manifestFile));
        ImageReference pinned = target.pinned(manifest.imageDigest());
        GpuStack gpuStack = GpuStackRecording.record(ctx, env, stageDir.resolve(SnapshotFiles.GPU_STACK), events);

        Map<String, String> inputs = new TreeMap<>(inputFiles);
        inputs.put("base_image", pinnedBase.toString());
        if (pinnedCapture != null) {
            inputs.put("capture_from", pinnedCapture.toString());
        }
        Map<String, String> outputs = new TreeMap<>(locks);
        outputs.put("image", pinned.toString());
        outputs.put("Dockerfile", Digests.sha256(dockerfile));
        outputs.put(SnapshotFiles.MANIFEST, Digests.sha256(manifestFile));
        Map<String, Object> details = new TreeMap<>();
        details.put("snapshotId", id);
        details.put("built", built);
        details.put("packages", manifest.packages().size());
        if (gpuStack != null) {
            details.put("gpuStack", gpuStack.fingerprint());
            outputs.put(SnapshotFiles.GPU_STACK, Digests.sha256(stageDir.resolve(SnapshotFiles.GPU_STACK)));
        }
        ctx.cancellation().recording(STAGE.stepName());
        Attestor.Written attestations = StageAttestations.environment(ctx.attestor(), ctx.workspace().dir(), STAGE.stepName(),
                StageAttestations.Timing.endingAt(ctx.clock().instant(), (System.nanoTime() - started) / 1_000_000), manifest, env,
                pinnedBase, pinnedCapture);
        RegistryAttestations.publish(ctx.registry(), pinned, ctx.workspace().dir(), STAGE.stepName()).values().forEach(a -> events.progress("attached " + a));
        details.put("attestations", attestations.toJson());
        AuditLog.Appended record = ctx.workspace().audit().append(
                new AuditLog.Entry(STAGE.stepName(), "succeeded", inputs, outputs, details));

        Path workspaceDir = ctx.workspace().dir();
        SnapshotResult result = new SnapshotResult(StageResult.CURRENT_SCHEMA_VERSION, STAGE.stepName(), "succeeded",
                new AuditStamp(record.seq(), record.hash()), id, pinned.toString(), target.toString(), manifest.imageDigest(),
                base.toString(), pinnedBase.digest().orElseThrow(), built,
                workspaceDir.relativize(context.resolve("Dockerfile")).toString(), workspaceDir.relativize(manifestFile).toString(),
                locks.keySet().stream().map(f -> workspaceDir.relativize(stageDir.resolve(f)).toString()).toList(),
                manifest.packages().size(), gpuStack == null ? null : gpuStack.toRecord(), env.warnings().size(),
                new Attestations(attestations.files(), attestations.signed(), attestations.keyId()),
                (System.nanoTime() - started) / 1_000_000);
        ctx.workspace().writeResult(result);
        return result;
    }

    private static long count(Manifest m, String source) {
        return m.packages().stream().filter(p -> p.source().equals(source)).count();
    }

    static Manifest manifest(String id, ImageReference target, String digest, ImageReference base, ImageReference pinnedBase,
                             EnvironmentSpec env, Capture.Captured image, Capture.Captured baseCapture) {
        return new Manifest(id, target.toString(), digest, base.toString(), pinnedBase.digest().orElseThrow(), image.osRelease(),
                image.pythonVersion(), image.pythonImplementation(), env.cuda(), env.cudnn(), env.env(), env.inputFiles(),
                image.condaPresent() ? image.condaName() : null, image.condaChannels(), Manifest.packages(image, baseCapture));
    }

    private static String buildAndPush(StageContext ctx, Path context, ImageReference target, StageEvents events) {
        // A credential that may pull but not push (or none at all) fails here, before minutes of build, and leaves nothing.
        ctx.registry().requirePush(target);
        events.progress("building " + target);
        ImageBuild.build(ctx, STAGE.stepName(), context, target, events);
        String digest = ImageBuild.push(ctx, STAGE.stepName(), target, events);
        events.progress("pushed " + target + " (" + digest + ")");
        return digest;
    }

    private static ImageReference pin(StageContext ctx, ImageReference ref, String field) {
        if (ref.digest().isPresent()) {
            return ref.pinned(ref.digest().get());
        }
        String digest = ctx.registry().digest(ref).orElseThrow(() -> new PowerAiException.InvalidInput(STAGE.stepName()
                + ": '" + field + "' must name an image that exists in its registry; got '" + ref + "' (tag "
                + ref.tagOrLatest() + " not found in " + ref.registry() + ")"));
        return ref.pinned(digest);
    }
}
