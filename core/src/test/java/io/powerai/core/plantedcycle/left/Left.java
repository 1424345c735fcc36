package io.powerai.core.plantedcycle.left;

import io.powerai.core.plantedcycle.right.Right;

/** Test fixture: uses {@link Right}, which uses this class back. Never run, only imported by PackageCyclesTest. */
public final class Left {
    public Right partner() {
        return new Right();
    }
}
