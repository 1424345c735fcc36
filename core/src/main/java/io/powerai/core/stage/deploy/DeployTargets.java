package io.powerai.core.stage.deploy;

import io.powerai.core.PowerAiException;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.RunEnvironment;
import io.powerai.core.stage.StageContext;


/** The one place the deploy target is chosen: from the deploy section's {@code target}, or the command line's override. */
public final class DeployTargets {
    public static final String LOCAL = "local";
    public static final String AKS = "aks";

    private DeployTargets() {
    }

    /**
     * The target for {@code ctx}'s deploy section; {@code override} (the CLI's {@code --target}, null: none) replaces
     * the section's. {@code environment} holds what the Kubernetes target connects and pulls with (the cluster's
     * and the registry's credentials, the build), read by the face that started the run.
     */
    public static DeployTarget of(StageContext ctx, RunEnvironment environment, String override) {
        String target = name(ctx, override);
        return AKS.equals(target) ? AksDeployment.of(ctx, environment) : new LocalDeployment(ctx);
    }

    /** The chosen target's name: the override when given (local or aks), else the section's (local without one). */
    public static String name(StageContext ctx, String override) {
        if (override != null && !override.equals(LOCAL) && !override.equals(AKS)) {
            throw PowerAiException.InvalidInput.bare("'target' must be 'local' or 'aks'; got '"
                    + override + "'");
        }
        if (override != null) {
            return override;
        }
        return ctx.spec().deploy() == null ? LOCAL : ctx.spec().deploy().target();
    }
}
