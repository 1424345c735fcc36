package io.powerai.core.plantedcycle.right;

import io.powerai.core.plantedcycle.left.Left;
import io.powerai.core.plantedcycleback.Back;

/** Test fixture: uses {@link Left} (a cycle inside plantedcycle) and {@link Back} (a cycle between core's first-level packages). */
public final class Right {
    public Left partner() {
        return new Left();
    }

    public Back back() {
        return new Back();
    }
}
