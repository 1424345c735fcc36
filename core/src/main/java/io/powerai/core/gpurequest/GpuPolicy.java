package io.powerai.core.gpurequest;

import java.util.Locale;
import java.util.Optional;

/** What a run does when the GPUs it asks for are not there or not usable. */
public enum GpuPolicy {
    /** Stop before anything runs: one line saying why, exit 3 (infrastructure unavailable). The default. */
    REQUIRE,
    /** Warn and train on the CPU; the result records that it fell back and why. */
    PREFER,
    /** Check nothing: hand the GPU flags to the engine as asked (no nvidia-smi call before the run). */
    NONE;

    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<GpuPolicy> parse(String text) {
        for (GpuPolicy p : values()) {
            if (p.text().equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
