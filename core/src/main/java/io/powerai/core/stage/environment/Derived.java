package io.powerai.core.stage.environment;

import java.util.List;

/**
 * Pins derived from an image the user experimented in ({@code capture_from}): what it has over the base.
 *
 * @param apt Debian packages {@code name=version}
 * @param pip Python distributions {@code name==version} (or {@code name @ url})
 * @param conda conda packages as exact match specs, {@code [channel::]name=version=build}
 * @param condaChannels the channels of the captured environment, in its order of priority
 */
public record Derived(String image, List<String> apt, List<String> pip, List<String> conda, List<String> condaChannels) {
    public Derived {
        apt = List.copyOf(apt);
        pip = List.copyOf(pip);
        conda = List.copyOf(conda);
        condaChannels = List.copyOf(condaChannels);
    }

    public Derived(String image, List<String> apt, List<String> pip) {
        this(image, apt, pip, List.of(), List.of());
    }

    /** The requirements file the build installs the captured distributions from. */
    public String requirementsFile() {
        StringBuilder out = new StringBuilder("# Derived by powerai from what pip installed in " + image + "; do not edit.\n");
        pip.forEach(p -> out.append(p).append('\n'));
        return out.toString();
    }
}
