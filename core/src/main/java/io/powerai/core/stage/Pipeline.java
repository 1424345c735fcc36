package io.powerai.core.stage;

import io.powerai.core.result.StageResults;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.stage.training.TrainingRun;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/** All stages that {@code powerai.yaml} configures, in order; the first failure stops the run. */
public final class Pipeline {
    private Pipeline() {
    }

    public static Map<String, Map<String, Object>> run(StageContext ctx) {
        return run(ctx, LocalDeployment::run);
    }

    /** As {@link #run(StageContext)}, deploying with {@code deploy} (the face picks the target: local or aks). */
    public static Map<String, Map<String, Object>> run(StageContext ctx,
                                                       BiFunction<StageContext, String, Map<String, Object>> deploy) {
        return run(ctx, Map.of(), deploy);
    }

    /** As above; {@code env} holds the cluster's credentials (KUBECONFIG) for a training with backend kubernetes. */
    public static Map<String, Map<String, Object>> run(StageContext ctx, Map<String, String> env,
                                                       BiFunction<StageContext, String, Map<String, Object>> deploy) {
        PipelineSpec spec = ctx.spec();
        Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        spec.require(io.powerai.core.spec.Stage.SNAPSHOT);
        spec.require(io.powerai.core.spec.Stage.TRAIN);
        results.put("amlEnvSnapshot", EnvironmentSnapshot.run(ctx));
        results.put("gpuTrain", StageResults.toMap(TrainingRun.run(ctx, null, env)));
        if (spec.score() != null) {
            results.put("scoringImage", ScoringImage.run(ctx));
            if (spec.deploy() != null) {
                results.put("aksDeploy", deploy.apply(ctx, null));
            }
        }
        return results;
    }
}
