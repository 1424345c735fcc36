package io.powerai.core.stage.training.backend;

import io.powerai.core.PowerAiException;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.TrainingRun;

import java.util.Map;

/**
 * What runs a training: {@link ContainerTraining} (the snapshot image on this agent, the default),
 * {@link NativeTraining} (the agent's own Python), {@link KubernetesTraining} (a Job on a cluster) and
 * {@link PodTraining} (the training container of a Jenkins Kubernetes agent pod). Chosen once, from the spec's
 * {@code backend} ({@link #of}); the agent pod by the step that put the build in that pod. Each backend says how
 * its run ended; {@link TrainingRun} records it the same way for all.
 */
public interface TrainingBackend {
    /**
     * Runs the training ({@code imageOverride}, a pinned reference, replaces the snapshot's image) and says how it
     * ended; throws, recording nothing, when nothing could run. The agent pod's training container has run it
     * already: its backend reads what that run left.
     */
    TrainingRun.Ended train(String imageOverride);

    /** What {@code powerai gpu preflight} prints for this backend: the checks it would make before running, made. */
    Map<String, Object> preflight(String image);

    /** The backend the spec names, for a run that has the cluster's credentials (a Job needs them). */
    static TrainingBackend of(StageContext ctx, io.powerai.core.kubernetes.ClusterCredentials cluster) {
        TrainSpec spec = ctx.spec().train();
        return switch (spec.backend()) {
            case TrainSpec.NATIVE -> new NativeTraining(ctx);
            case TrainSpec.KUBERNETES -> KubernetesTraining.of(ctx, cluster);
            default -> new ContainerTraining(ctx);
        };
    }

    /** The backend the spec names, which must run on this agent: a Kubernetes Job needs the cluster's credentials. */
    static TrainingBackend onThisAgent(StageContext ctx) {
        if (TrainSpec.KUBERNETES.equals(ctx.spec().train().backend())) {
            throw new PowerAiException.InvalidInput(Stage.TRAIN.stepName() + ": backend 'kubernetes' needs the cluster's credentials "
                    + "(KUBECONFIG); run it with powerai train");
        }
        return of(ctx, io.powerai.core.kubernetes.ClusterCredentials.NONE);
    }
}
