package io.powerai.core.stage.environment;

import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.snapshot.Capture;

import java.util.List;

import static io.powerai.core.image.DockerfileWriter.shellWord;

/**
 * The RUN lines that install packages into a snapshot image, for both Dockerfiles that do it: the snapshot's own
 * and the one {@code snapshot verify} rebuilds from the lock files. Every value is quoted by {@link DockerfileWriter}.
 */
final class InstallCommands {
    /** Where the snapshot's inputs live inside the image. */
    static final String IMAGE_HOME = "/opt/powerai";
    /**
     * Before every conda install: conda-libmamba-solver 23.5 to 24.9 adds the channels the installed packages came from
     * to those asked for, so an install from a channel of one's own over a base from conda-forge fails where
     * conda-forge cannot be reached; this setting turns that off (later versions never do it, and ignore it).
     */
    static final String CONDA_SOLVER_ENV = "CONDA_LIBMAMBA_SOLVER_NO_CHANNELS_FROM_INSTALLED=1";
    /**
     * PEP 668 images (Debian 12) refuse pip in the system Python without PIP_BREAK_SYSTEM_PACKAGES; in an image that
     * is the point. The report records each archive's hash for the lock.
     */
    private static final String PIP = "PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \\\n"
            + "    python3 -m pip install --no-cache-dir";
    private static final String CONDA_CLEAN = " \\\n && conda clean --all --yes";

    private InstallCommands() {
    }

    /** Installs {@code packages} ({@code name=version}) with apt; {@code options} (" --allow-downgrades") after the command. */
    static String apt(String options, List<String> packages) {
        StringBuilder run = new StringBuilder("apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends")
                .append(options);
        packages.forEach(p -> run.append(" \\\n      ").append(shellWord(p)));
        return run.append(" \\\n && rm -rf /var/lib/apt/lists/*").toString();
    }

    /** Updates the base conda environment from an environment file in the image. */
    static String condaEnvUpdate(String fileInImage) {
        return CONDA_SOLVER_ENV + " conda env update --name base --file " + shellWord(fileInImage) + CONDA_CLEAN;
    }

    /** Exact specs (channel, version and build) from those channels only: the solver has nothing left to choose. */
    static String condaInstall(List<String> channels, List<String> specs) {
        StringBuilder install = new StringBuilder(CONDA_SOLVER_ENV + " conda install --yes --name base --override-channels");
        channels.forEach(c -> install.append(" --channel ").append(shellWord(c)));
        specs.forEach(c -> install.append(" \\\n      ").append(DockerfileWriter.shellQuoted(c)));
        return install.append(CONDA_CLEAN).toString();
    }

    /**
     * pip install of requirement files, run in {@code workDir}: pip resolves a file's relative paths (-r, -c, ./pkg)
     * from where it runs, the requirements file's folder.
     */
    static String pipInstall(String workDir, List<String> requirementFiles) {
        StringBuilder install = new StringBuilder("cd " + shellWord(workDir) + " \\\n && " + PIP + " --report " + Capture.PIP_REPORT);
        requirementFiles.forEach(f -> install.append(" \\\n      --requirement ").append(shellWord(f)));
        return install.toString();
    }

    /** pip install of a lock file exactly as pinned: no dependencies resolved, the hashes checked where it has them. */
    static String pipInstallLock(String lockInImage, boolean hashes) {
        return PIP + " --no-deps" + (hashes ? " --require-hashes" : "") + " --report " + Capture.PIP_REPORT
                + " \\\n      --requirement " + shellWord(lockInImage);
    }
}
