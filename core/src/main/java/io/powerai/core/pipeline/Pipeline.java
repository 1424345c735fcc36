package io.powerai.core.pipeline;

import io.powerai.core.stage.deploy.DeployTargets;
import io.powerai.core.result.StageResults;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.stage.RunEnvironment;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.environment.EnvironmentSnapshot;
import io.powerai.core.stage.scoring.ScoringImage;
import io.powerai.core.stage.training.TrainingRun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All stages that {@code powerai.yaml} configures, in order; the first failure stops the run. Above the stages and
 * the deploy targets, so that none of them depends on the others through it.
 */
public final class Pipeline {
    private Pipeline() {
    }

    /**
     * Runs them; {@code environment} holds what the face read at its edge: the cluster's credentials for a training
     * with backend kubernetes and a deploy target aks, the registry credentials and build information. The deploy target
     * is the deploy section's.
     */
    public static Map<String, Map<String, Object>> run(StageContext ctx, RunEnvironment environment) {
        return run(ctx, environment, image -> { });
    }

    /**
     * As {@link #run(StageContext, RunEnvironment)}, with {@code beforeDeploy} called before the deploy target is touched, with the
     * image to deploy (null: the scoring image just built): the face's deploy policy, which may refuse by throwing.
     */
    public static Map<String, Map<String, Object>> run(StageContext ctx, RunEnvironment environment,
                                                       java.util.function.Consumer<String> beforeDeploy) {
        PipelineSpec spec = ctx.spec();
        Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        spec.require(io.powerai.core.spec.Stage.SNAPSHOT);
        spec.require(io.powerai.core.spec.Stage.TRAIN);
        // Each stage is entered before it validates its input: a bare failure names the stage it came from.
        ctx.cancellation().entering(io.powerai.core.spec.Stage.SNAPSHOT.stepName());
        results.put("amlEnvSnapshot", StageResults.toMap(EnvironmentSnapshot.run(ctx)));
        ctx.cancellation().entering(io.powerai.core.spec.Stage.TRAIN.stepName());
        results.put("gpuTrain", StageResults.toMap(TrainingRun.run(ctx, null, environment.cluster())));
        if (spec.score() != null) {
            ctx.cancellation().entering(io.powerai.core.spec.Stage.SCORING_IMAGE.stepName());
            results.put("scoringImage", StageResults.toMap(ScoringImage.run(ctx)));
            if (spec.deploy() != null) {
                ctx.cancellation().entering(io.powerai.core.spec.Stage.DEPLOY.stepName());
                beforeDeploy.accept(null);
                results.put("aksDeploy", StageResults.toMap(DeployTargets.of(ctx, environment, null).deploy(null)));
            }
        }
        return results;
    }
}
