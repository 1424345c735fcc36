package io.powerai.core.stage.scoring;

import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.RegistryAttestations;
import io.powerai.core.attest.StageAttestations;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.event.StageEvents;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.result.Attestations;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.ScoringImageResult;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.result.StageResult;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.ScoreSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.ImageBuild;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.ProjectSource;
import io.powerai.core.stage.Resources;
import io.powerai.core.stage.StageContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SS: the inference image ({@link ScoringDockerfile}): the snapshot image, the scoring server, the entry script, the
 * samples and the model. Before the push it passes the {@link ParityGate}. This class runs the steps in order and
 * records them.
 */
public final class ScoringImage {
    static final Stage STAGE = Stage.SCORING_IMAGE;
    static final int RENDERER_VERSION = 2;

    private ScoringImage() {
    }

    /** Runs the stage; stopped (the context's cancellation aborted), it is recorded as aborted, its smoke-test container removed. */
    public static ScoringImageResult run(StageContext ctx) {
        ctx.spec().require(STAGE);
        try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
            return runInFlight(ctx);
        }
    }

    private static ScoringImageResult runInFlight(StageContext ctx) {
        ScoreSpec spec = ctx.spec().score();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        TrainingResult training = ctx.workspace().requireResult(Stage.TRAIN, TrainingResult.class, STAGE);
        SnapshotResult snapshot = ctx.workspace().requireResult(Stage.SNAPSHOT, SnapshotResult.class, STAGE);
        ImageReference snapshotImage = ImageReference.parse(String.valueOf(snapshot.image()));
        String snapshotId = snapshot.snapshotId();
        ScoringModel model = ScoringModel.of(ctx.workspace(), training.outputsDir(), spec.model());
        byte[] server = serverScript();
        String entryName = spec.entryScript().getFileName().toString();
        ScoringSamples samples = ScoringSamples.of(spec, model.outputs());
        ProjectSource source = ProjectSource.of(ctx.spec().projectDir());

        String imageId = imageId(spec, snapshotImage, snapshotId, model, server, samples, source);
        ScoringDockerfile.Layout layout = new ScoringDockerfile.Layout(ctx.spec().name(), snapshotImage, snapshotId, entryName,
                model.version(), model.sha256(), imageId, source.url(), source.revision(), samples.request() != null,
                samples.response() != null, spec);
        String dockerfile = ScoringDockerfile.render(layout);

        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path context = stageDir.resolve("context");
        ScoringContext.write(context, dockerfile, server, ProjectPaths.requireInside(ctx.spec().projectDir(), spec.entryScript(),
                STAGE.stepName() + ": 'entry_script'"), model, samples);
        ImageReference target = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-score", imageId);

        ctx.registry().requirePush(target); // before the build: a credential that may not push fails first, leaving nothing
        events.progress("building " + target + " (model " + model.version() + ", entry script " + entryName + ")");
        ImageBuild.build(ctx, STAGE.stepName(), context, target, events);
        Optional<Long> imageSize = ctx.engine().imageSize(target.toString());
        Optional<Long> snapshotSize = ctx.engine().imageSize(snapshotImage.toString());
        if (imageSize.isPresent() && snapshotSize.isPresent()) {
            events.progress("image " + megabytes(imageSize.get()) + ", " + megabytes(imageSize.get() - snapshotSize.get())
                    + " over the snapshot image");
        }
        ParityGate.Outcome gate = ParityGate.run(ctx, spec, samples.cases(), target, stageDir, events);

        String digest = ImageBuild.push(ctx, STAGE.stepName(), target, events);
        ImageReference pinned = target.pinned(digest);
        events.progress("pushed " + pinned);

        ScoringImageResult.Parity parity = new ScoringImageResult.Parity(gate.checked(), gate.compared(), gate.sources(),
                spec.parityTolerance());
        ScoringImageResult.Serving serving = new ScoringImageResult.Serving(spec.workers(), spec.scoringTimeoutMs(),
                spec.maxRequestBytes(), spec.server(), spec.preload());
        Map<String, String> inputs = new TreeMap<>();
        inputs.put("snapshot_image", snapshotImage.toString());
        inputs.put("model", model.sha256());
        inputs.put("entry_script", Digests.sha256(spec.entryScript()));
        inputs.put("server", Digests.sha256(server));
        if (source.revision() != null) {
            inputs.put("revision", source.revision());
        }
        String modelDir = ScoringDockerfile.modelDir(ctx.spec().name(), model.version());
        Map<String, Object> details = new TreeMap<>();
        details.put("modelPath", spec.model());
        details.put("modelDir", modelDir);
        details.put("smokeTest", gate.checked() == 0 ? "readiness only" : "passed");
        details.put("parity", Json.mapper().convertValue(parity, Map.class));
        imageSize.ifPresent(size -> details.put("imageSizeBytes", size));
        ctx.cancellation().recording(STAGE.stepName());
        @SuppressWarnings("unchecked")
        Map<String, Object> servingMap = Json.mapper().convertValue(serving, Map.class);
        Attestor.Written attestations = StageAttestations.scoringImage(ctx.attestor(), ctx.workspace().dir(), STAGE.stepName(),
                StageAttestations.Timing.endingAt(ctx.clock().instant(), (System.nanoTime() - started) / 1_000_000), pinned,
                new StageAttestations.ScoringInputs(snapshotImage, Manifest.readIfPresent(SnapshotFiles.manifestFile(ctx.workspace())),
                        spec.model(), model.sha256(), entryName, inputs.get("entry_script"), inputs.get("server"), servingMap,
                        source.revision()));
        RegistryAttestations.publish(ctx.registry(), pinned, ctx.workspace().dir(), STAGE.stepName()).values().forEach(a -> events.progress("attached " + a));
        details.put("attestations", attestations.toJson());
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), "succeeded", inputs,
                Map.of("image", pinned.toString(), "Dockerfile", Digests.sha256(dockerfile)), details));

        ScoringImageResult result = new ScoringImageResult(StageResult.CURRENT_SCHEMA_VERSION, STAGE.stepName(), "succeeded",
                new AuditStamp(record.seq(), record.hash()), pinned.toString(), target.toString(), digest, snapshotImage.toString(),
                spec.model(), model.sha256(), modelDir, entryName, source.url(), source.revision(),
                imageSize.orElse(null), snapshotSize.orElse(null),
                imageSize.isPresent() && snapshotSize.isPresent() ? imageSize.get() - snapshotSize.get() : null,
                serving, parity, new Attestations(attestations.files(), attestations.signed(), attestations.keyId()),
                gate.startToFirstScoreMillis(),
                gate.answer() == null ? null : Json.mapper().valueToTree(ParityGate.parseQuietly(gate.answer())),
                ctx.workspace().dir().relativize(context.resolve("Dockerfile")).toString(), (System.nanoTime() - started) / 1_000_000);
        ctx.workspace().writeResult(result);
        return result;
    }

    /** The image's identity, its tag: every input of its bytes, so that the same inputs name the same image. */
    private static String imageId(ScoreSpec spec, ImageReference snapshotImage, String snapshotId, ScoringModel model,
                                  byte[] server, ScoringSamples samples, ProjectSource source) {
        Map<String, Object> identity = new TreeMap<>();
        identity.put("renderer", RENDERER_VERSION);
        identity.put("base", snapshotImage.toString());
        identity.put("model", model.sha256());
        identity.put("entryScript", Digests.sha256(spec.entryScript()));
        identity.put("entryScriptName", spec.entryScript().getFileName().toString());
        identity.put("server", Digests.sha256(server));
        List<Object> servingIdentity = new ArrayList<>(List.of(spec.workers(), spec.scoringTimeoutMs(), spec.maxRequestBytes(), spec.server()));
        if (!spec.preload()) {
            servingIdentity.add("no-preload"); // only then: images built before the setting keep their identity
        }
        identity.put("serving", servingIdentity);
        identity.put("samples", List.of(samples.request() == null ? "" : Digests.sha256(samples.request()),
                samples.response() == null ? "" : Digests.sha256(samples.response())));
        identity.put("source", source.url() == null ? "" : source.url());
        identity.put("revision", source.revision() == null ? "" : source.revision());
        identity.put("snapshotId", snapshotId == null ? "" : snapshotId);
        return Digests.sha256(Json.canonicalBytes(identity));
    }

    private static String megabytes(long bytes) {
        return Math.abs(bytes) < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1e3)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    public static byte[] serverScript() {
        return Resources.read(ScoringDockerfile.SERVER_RESOURCE, "the scoring server");
    }
}
