package io.powerai.core.plantedcycleback;

import io.powerai.core.plantedcycle.right.Right;

/** Test fixture: plantedcycleback -> plantedcycle -> plantedcycleback, two first-level packages of core. */
public final class Back {
    public Right forth() {
        return new Right();
    }
}
