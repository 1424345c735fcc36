package io.powerai.core.stage;

import io.powerai.core.spec.PipelineSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/** All stages that {@code powerai.yaml} configures, in order; the first failure stops the run. */
public final class Pipeline {
    private Pipeline() {
    }

    public static Map<String, Map<String, Object>> run(StageContext ctx) {
        PipelineSpec spec = ctx.spec();
        Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        spec.require(io.powerai.core.spec.Stage.SNAPSHOT);
        spec.require(io.powerai.core.spec.Stage.TRAIN);
        results.put("amlEnvSnapshot", EnvironmentSnapshot.run(ctx));
        results.put("gpuTrain", TrainingRun.run(ctx, null));
        if (spec.score() != null) {
            results.put("scoringImage", ScoringImage.run(ctx));
            if (spec.deploy() != null) {
                results.put("aksDeploy", LocalDeployment.run(ctx, null));
            }
        }
        return results;
    }
}
