package io.powerai.core.stage.deploy;

import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.registry.Credentials;
import io.powerai.core.result.ScoringImageResult;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.spec.DeploySpec;
import io.powerai.core.spec.Problems;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.Parity;
import io.powerai.core.stage.RunEnvironment;
import io.powerai.core.stage.StageContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What one Kubernetes deployment puts where, everything checked before the cluster is contacted: an invalid name, an
 * image not pinned by digest, half of the registry credentials never reach it. {@code registryUser} is null when no
 * image pull Secret is made.
 */
record AksPlan(String name, AksSettings settings, AksManifests manifests, Release release, Path sample, Path expected,
               String registryHost, String registryUser, String registryPassword) {
    private static final Stage STAGE = Stage.DEPLOY;

    /** The plan of a rollout of {@code imageOverride} (null: the last scoringImage result's image). */
    static AksPlan of(StageContext ctx, RunEnvironment environment, String imageOverride, boolean dryRun, StageEvents events) {
        ctx.spec().require(STAGE);
        DeploySpec spec = ctx.spec().deploy();
        AksSettings settings = spec.aks();
        String name = ctx.spec().name();
        Problems problems = new Problems();
        AksManifests.checkServiceName(STAGE.stepName(), name, problems);

        ScoringImageResult scoring = readScoringResult(ctx);
        String image = imageOverride;
        if (image == null) {
            if (scoring == null || !scoring.succeeded() || scoring.image() == null) {
                throw PowerAiException.InvalidInput.bare("no scoring image to deploy: run scoringImage "
                        + "first (no successful result in " + ctx.workspace().resultFile(Stage.SCORING_IMAGE) + ") or pass 'image'");
            }
            image = scoring.image();
        }
        ImageReference reference = null;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            problems.add(STAGE.stepName(), "'image' must be an image reference [registry/]name[:tag]@sha256:digest: "
                    + e.getMessage() + "; got '" + image + "'");
        }
        if (reference != null && reference.digest().isEmpty()) {
            problems.add(STAGE.stepName(), "'image' must be pinned by digest on Kubernetes (name@sha256:<64 hex digits>, "
                    + "as scoringImage records it), so that every replica and every rollback runs the same bytes; got '" + image + "'");
        }
        // A pair or nothing: the face refuses one of the two (exit 2) before any stage runs.
        Credentials pullCredentials = environment.registry();
        problems.throwIfAny();

        String model = null;
        String snapshotImage = null;
        String snapshotId = null;
        Integer workers = null;
        if (scoring != null && image.equals(scoring.image())) {
            model = scoring.modelSha256();
            // 0 (one per CPU) leaves the count to the deployment, which sizes it to the pod's CPU.
            workers = scoring.serving() == null ? null : scoring.serving().fixedWorkers();
            snapshotImage = scoring.snapshotImage();
            if (snapshotImage != null) {
                try {
                    snapshotId = ImageReference.parse(snapshotImage).tag().orElse(null);
                } catch (IllegalArgumentException e) {
                    snapshotId = null;
                }
            }
        } else if (!dryRun) {
            events.warning("the image is not the last scoringImage result: its model and snapshot are not recorded");
        }
        String metrics = imageOverride == null ? ModelMetrics.record(ModelMetrics.ofScoringImage(ctx.workspace())) : null;
        Release release = new Release(reference.toString(), model, snapshotImage, snapshotId, environment.build().tag(),
                environment.build().url(), workers, metrics);
        boolean pull = pullCredentials != null;
        Parity.SmokeSample smoke = Parity.SmokeSample.of(ctx.spec());
        return new AksPlan(name, settings, new AksManifests(name, settings, release, pull), release, smoke.request(), smoke.expected(),
                reference.registry(), pull ? pullCredentials.username() : null, pull ? pullCredentials.password() : null);
    }

    /** Promote, rollback and delete act on what the cluster holds: they need the names and settings, not an image. */
    static AksPlan control(StageContext ctx) {
        ctx.spec().require(STAGE);
        DeploySpec spec = ctx.spec().deploy();
        Problems problems = new Problems();
        AksManifests.checkServiceName(STAGE.stepName(), ctx.spec().name(), problems);
        problems.throwIfAny();
        Parity.SmokeSample smoke = Parity.SmokeSample.of(ctx.spec());
        Release none = new Release("", null, null, null, null, null);
        return new AksPlan(ctx.spec().name(), spec.aks(), new AksManifests(ctx.spec().name(), spec.aks(), none, false), none,
                smoke.request(), smoke.expected(), null, null, null);
    }

    private static ScoringImageResult readScoringResult(StageContext ctx) {
        Path file = ctx.workspace().resultFile(Stage.SCORING_IMAGE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return StageResults.read(file, ScoringImageResult.class);
        } catch (IOException e) {
            throw PowerAiException.InvalidInput.bare("cannot read " + file + ": " + e.getMessage());
        }
    }
}
