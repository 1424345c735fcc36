package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.Quantity;

/** CPU in millicores and memory in MiB (as {@link io.powerai.core.spec.ComputeQuantities} reads them) as Kubernetes quantities. */
public final class KubeQuantities {
    private KubeQuantities() {
    }

    /** Whole cores as a plain number, fractions in millicores: {@code 2}, {@code 500m}. */
    public static Quantity cpu(int millis) {
        return new Quantity(millis % 1000 == 0 ? String.valueOf(millis / 1000) : millis + "m");
    }

    public static Quantity memory(int mebibytes) {
        return new Quantity(mebibytes + "Mi");
    }
}
