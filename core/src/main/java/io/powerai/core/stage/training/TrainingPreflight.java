package io.powerai.core.stage.training;

import io.powerai.core.gpu.GpuPolicy;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checks {@code gpuTrain} makes before it runs anything, on their own: what {@code powerai gpu preflight}
 * prints. Under {@code gpu_policy: require} a failed check throws as the training would (exit 3).
 */
public final class TrainingPreflight {
    private TrainingPreflight() {
    }

    /**
     * @param image the image the training would run in, for the CUDA version it declares; null to skip that check
     */
    public static Map<String, Object> run(StageContext ctx, String image) {
        ctx.spec().require(Stage.TRAIN);
        TrainSpec spec = ctx.spec().train();
        if (spec.kubernetesBackend()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("stage", Stage.TRAIN.stepName());
            out.put("backend", spec.backend());
            out.put("requested", spec.gpus());
            out.put("decision", "kubernetes");
            out.put("note", "backend 'kubernetes': nothing is checked on this agent; the scheduler puts the pod on a node with "
                    + spec.gpus() + " free " + io.powerai.core.kubernetes.TrainingPods.GPU_RESOURCE);
            return out;
        }
        TrainingGpu.Plan plan = TrainingGpu.plan(ctx, spec, spec.nativeBackend() ? null : image,
                ctx.events().forStage(Stage.TRAIN.stepName()));
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
        if (plan.cudaVisibleDevices() != null && spec.nativeBackend()) {
            out.put("cudaVisibleDevices", String.join(",", plan.cudaVisibleDevices()));
        }
        if (spec.gpuPolicy() == GpuPolicy.NONE && spec.wantsGpus()) {
            out.put("note", "gpu_policy 'none': nothing was checked");
        }
        return out;
    }
}
