package io.powerai.core.snapshot;

import io.powerai.core.python.CondaEnvironment;
import io.powerai.core.python.UrlCredentials;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The lock files of a snapshot, rendered from its manifest: what the snapshot installed over its base, every
 * package pinned. The base itself is pinned by digest. Rendering is pure: the same manifest gives the same bytes.
 */
public final class LockFiles {
    public static final String REQUIREMENTS = "requirements.lock";
    public static final String APT = "apt.lock";
    public static final String CONDA = "environment.lock.yml";

    private LockFiles() {
    }

    /** The pip packages the snapshot installed, {@code name==version}, with {@code --hash} lines when every hash is known. */
    public static String requirements(Manifest m, List<String> indexOptions) {
        List<Manifest.Package> pip = pipLayer(m);
        // pip's hash-checking mode is all or nothing, and a VCS checkout has no archive hash: then no --hash lines.
        boolean allHashed = !pip.isEmpty() && pip.stream().allMatch(p -> p.hash() != null);
        StringBuilder out = new StringBuilder();
        out.append("# Rendered by powerai (amlEnvSnapshot) from snapshot ").append(m.snapshotId())
                .append(": every package pip installed over the base image, pinned. Do not edit.\n");
        out.append("# Install with: python3 -m pip install --no-deps").append(allHashed ? " --require-hashes" : "")
                .append(" --requirement ").append(REQUIREMENTS).append('\n');
        if (!allHashed && !pip.isEmpty()) {
            out.append("# No --hash lines: pip reported no archive hash for ")
                    .append(pip.stream().filter(p -> p.hash() == null).map(Manifest.Package::name)
                            .collect(Collectors.joining(", ")))
                    .append(" (a VCS checkout, a local path, or installed before this snapshot's pip install).\n");
        }
        indexOptions.stream().filter(o -> o.startsWith("--index-url") || o.startsWith("--extra-index-url")
                || o.startsWith("--find-links") || o.startsWith("--no-index") || o.startsWith("--trusted-host"))
                .forEach(o -> out.append(UrlCredentials.mask(o)).append('\n'));
        for (Manifest.Package p : pip) {
            out.append(p.name()).append(p.url() != null ? " @ " + UrlCredentials.mask(p.url()) : "==" + p.version());
            if (allHashed) {
                out.append(" \\\n    --hash=").append(p.hash());
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Debian packages the snapshot installed or upgraded, {@code name=version}, one a line. */
    public static String apt(Manifest m) {
        StringBuilder out = new StringBuilder();
        out.append("# Rendered by powerai (amlEnvSnapshot) from snapshot ").append(m.snapshotId())
                .append(": Debian packages installed over the base image. Do not edit.\n");
        m.snapshotLayer(Manifest.SOURCE_APT).forEach(p -> out.append(p.name()).append('=').append(p.version()).append('\n'));
        return out.toString();
    }

    /**
     * {@code environment.lock.yml}: the conda packages the snapshot installed or changed over the base, each with the
     * channel it came from, version and build; null when there are none. Like the other locks it is a layer over the
     * base pinned by digest: the base's own packages are already there, and naming them would make the rebuild fetch
     * the index of every channel they came from. What pip installed into the conda environment is in
     * {@link #REQUIREMENTS}, with its hashes and index options, where a conda {@code pip:} list could carry neither.
     */
    public static String conda(Manifest m) {
        List<Manifest.Package> layer = m.snapshotLayer(Manifest.SOURCE_CONDA);
        if (layer.isEmpty()) {
            return null;
        }
        List<String> channels = CondaEnvironment.installChannels(layer.stream().map(Manifest.Package::channel).toList(), m.condaChannels());
        List<CondaEnvironment.MatchSpec> specs = layer.stream()
                .map(p -> new CondaEnvironment.MatchSpec(p.channel(), p.name(), p.version(), p.build(), p.name()))
                .toList();
        return CondaEnvironment.renderLock(List.of(
                "Rendered by powerai (amlEnvSnapshot) from snapshot " + m.snapshotId() + ": every conda package installed or changed"
                        + " over the base image, pinned. Do not edit.",
                "Install over the base image: conda env update --name base --file " + CONDA
                        + (pipLayer(m).isEmpty() ? "" : " (then " + REQUIREMENTS + " with pip)")),
                m.condaName(), channels, specs);
    }

    /**
     * Distributions of the snapshot layer that a Python installer put there (INSTALLER pip, uv...): conda's are in
     * the conda lock, and those without an installer came with Debian packages (in the apt lock).
     */
    public static List<Manifest.Package> pipPackages(Manifest m) {
        return pipLayer(m);
    }

    static List<Manifest.Package> pipLayer(Manifest m) {
        return m.snapshotLayer(Manifest.SOURCE_PIP).stream()
                .filter(p -> p.installer() != null && !"conda".equals(p.installer())).toList();
    }
}
