package io.powerai.core.stage.training;

import io.powerai.core.gpurequest.GpuPolicy;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.backend.TrainingBackend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checks {@code gpuTrain} makes before it runs anything, on their own: what {@code powerai gpu preflight}
 * prints, each backend its own ({@link TrainingBackend#preflight}). Under {@code gpu_policy: require} a failed check
 * throws as the training would (exit 3).
 */
public final class TrainingPreflight {
    private TrainingPreflight() {
    }

    /**
     * @param image the image the training would run in, for the CUDA version it declares; null to skip that check
     */
    public static Map<String, Object> run(StageContext ctx, String image) {
        ctx.spec().require(Stage.TRAIN);
        return TrainingBackend.of(ctx, io.powerai.core.kubernetes.ClusterCredentials.NONE).preflight(image);
    }

    /** What a run on this agent shows of its preflight: the plan's record, or that it runs on the CPU. */
    public static Map<String, Object> describe(TrainSpec spec, TrainingGpu.Plan plan) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stage", Stage.TRAIN.stepName());
        out.put("backend", spec.backend());
        if (plan.record() == null) {
            out.put("policy", spec.gpuPolicy().text());
            out.put("requested", spec.gpus());
            out.put("decision", "cpu");
        } else {
            out.putAll(plan.record());
        }
        if (plan.usesGpus()) {
            out.put("engineGpus", plan.engineGpus());
        }
        // Only a run on the host names its devices to CUDA; in a container the engine gives them.
        if (plan.cudaVisibleDevices() != null) {
            out.put("cudaVisibleDevices", String.join(",", plan.cudaVisibleDevices()));
        }
        if (spec.gpuPolicy() == GpuPolicy.NONE && spec.wantsGpus()) {
            out.put("note", "gpu_policy 'none': nothing was checked");
        }
        return out;
    }
}
