package io.powerai.core.stage.deploy;

import io.powerai.core.spec.PromotionGate;
import io.powerai.core.result.DeploymentResult;

/**
 * Where the deploy stage puts the scoring image into service: the local host ({@link LocalDeployment}) or a Kubernetes
 * cluster such as AKS ({@link AksDeployment}). Chosen once, from the deploy section's {@code target}, by
 * {@link DeployTargets#of}; everything else about the target is its own business.
 */
public interface DeployTarget {

    /** The {@code target} value that chose it: local or aks. */
    String name();

    /**
     * Puts {@code imageOverride} (null: the last scoringImage result's image) into service after its smoke test, or
     * leaves what served before serving; the result is written to {@code aksDeploy.json} and returned.
     */
    DeploymentResult deploy(String imageOverride);

    /** The promotion gate alone, before any change: whether the new model may replace the serving one. */
    PromotionGate.Decision gate(String imageOverride);

    /** Removes what deployments of the project made on this target, and records it. */
    DeploymentResult delete();
}
