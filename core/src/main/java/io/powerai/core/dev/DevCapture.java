package io.powerai.core.dev;

import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Json;
import io.powerai.core.python.RequirementsFile;
import io.powerai.core.snapshot.Capture;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.environment.Derivation;
import io.powerai.core.stage.environment.Derived;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code powerai dev --capture}: what was installed in the running dev container beyond its image (the snapshot plus
 * the dev layer, so Jupyter's own packages never count), found as {@code capture_from} finds it for an image, written
 * into the project's environment files so that the next snapshot builds what the notebook used.
 */
public final class DevCapture {
    static final String DEFAULT_REQUIREMENTS = "requirements.txt";
    /** Where the changes that could not be written are kept for a person to apply. */
    static final String MANUAL_FILE = "capture-by-hand.txt";

    /**
     * @param pip    pins of what pip installed
     * @param apt    Debian packages {@code name=version}
     * @param conda  conda packages, as exact match specs
     * @param written the files changed, relative to the project
     * @param byHand the changes that could not be written safely, one line each (also in {@link #MANUAL_FILE})
     */
    public record Outcome(List<String> pip, List<String> apt, List<String> conda, List<String> written, List<String> byHand) {
        public boolean nothing() {
            return pip.isEmpty() && apt.isEmpty() && conda.isEmpty();
        }
    }

    private DevCapture() {
    }

    /** Where the changes to apply by hand are written. */
    public static Path byHandFile(StageContext ctx) {
        return DevEnvironment.devDir(ctx).resolve(MANUAL_FILE);
    }

    public static Outcome run(StageContext ctx, Path specFile) {
        ctx.spec().require(io.powerai.core.spec.Stage.SNAPSHOT);
        StageEvents events = ctx.events().forStage(DevEnvironment.STAGE);
        DevState state = DevState.read(ctx.workspace().dir());
        if (state == null) {
            throw PowerAiException.InvalidInput.bare("'--capture' needs the project's dev server running; none"
                    + " was started for " + ctx.spec().projectDir() + " (start it with: powerai dev " + ctx.spec().projectDir() + ")");
        }
        ctx.engine().ensureAvailable();
        if (!ctx.engine().isRunning(state.container())) {
            throw PowerAiException.InvalidInput.bare("'--capture' needs the dev container running, but "
                    + state.container() + " is stopped, and what was installed in it is gone; start it again with 'powerai dev "
                    + ctx.spec().projectDir() + "', install, then capture");
        }
        events.progress("looking inside " + state.container() + " and its image " + state.image() + " (pip, conda, dpkg)");
        Capture.Captured now = Capture.inContainer(ctx.engine(), state.container(), line -> { });
        Capture.Captured image = Capture.run(ctx.engine(), state.image(), line -> { });
        Derived derived = Derivation.derive("container " + state.container(), now, image);
        List<String> apt = new ArrayList<>(derived.apt());
        Manifest snapshot = Manifest.readIfPresent(SnapshotFiles.manifestFile(ctx.workspace()));
        if (!derived.pip().isEmpty() && snapshot != null && !DevLayer.hasPip(snapshot) && image.dpkg().containsKey(DevLayer.APT_PIP)) {
            // The dev layer's pip is what installed them: the snapshot needs it too, to install the pins.
            apt.add(DevLayer.APT_PIP + "=" + image.dpkg().get(DevLayer.APT_PIP));
        }
        Outcome outcome = write(ctx.spec(), specFile, derived.pip(), apt, derived.conda());
        Path manual = byHandFile(ctx);
        try {
            if (outcome.byHand().isEmpty()) {
                Files.deleteIfExists(manual);
            } else {
                Json.writeAtomically(manual, String.join("\n", outcome.byHand()) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + manual + ": " + e.getMessage(), e);
        }
        return outcome;
    }

    /** Writes the pins into the environment files; what cannot be written safely is returned to be done by hand. */
    static Outcome write(PipelineSpec spec, Path specFile, List<String> pip, List<String> apt, List<String> conda) {
        Path project = spec.projectDir();
        String specName = specFile.getFileName().toString();
        EnvironmentSpec env = spec.environment();
        List<String> written = new ArrayList<>();
        List<String> byHand = new ArrayList<>();
        String yaml = read(specFile);
        String newYaml = yaml;

        List<String> reproducible = pip.stream().filter(p -> !p.contains(" @ file:")).toList();
        pip.stream().filter(p -> p.contains(" @ file:")).forEach(p -> byHand.add("pip: " + p + " was installed from a path inside the"
                + " container, which a snapshot cannot reach: put the package where an index or the project holds it, and name it"
                + " in the requirements file"));
        if (!reproducible.isEmpty()) {
            Path requirements = env.pipRequirements() != null ? env.pipRequirements().toAbsolutePath().normalize()
                    : project.resolve(DEFAULT_REQUIREMENTS);
            String name = project.relativize(requirements).toString().replace('\\', '/');
            String text = null;
            if (env.pipRequirements() != null) {
                text = EnvironmentFiles.withPins(read(requirements), name, RequirementsFile.parse(requirements, project), reproducible);
            } else if (!Files.exists(requirements)) {
                String edited = EnvironmentFiles.withEnvironmentKey(newYaml, "pip_requirements", name);
                if (edited != null) {
                    newYaml = edited;
                    text = EnvironmentFiles.HEADER + "\n" + String.join("\n", reproducible) + "\n";
                }
            }
            if (text == null) {
                byHand.add(name + ": pin " + String.join(", ", reproducible) + (env.pipRequirements() == null
                        ? ", and set 'environment.pip_requirements: " + name + "' in " + specName : ""));
            } else {
                replace(requirements, text, project);
                written.add(name);
            }
        }
        if (!apt.isEmpty()) {
            Map<String, String> byName = new TreeMap<>();
            env.aptPackages().forEach(p -> byName.put(p.split("=", 2)[0], p));
            apt.forEach(p -> byName.put(p.split("=", 2)[0], p));
            List<String> all = List.copyOf(byName.values());
            String edited = EnvironmentFiles.withEnvironmentKey(newYaml, "apt_packages", all);
            if (edited == null) {
                byHand.add(specName + ": set 'environment.apt_packages' to " + EnvironmentFiles.flow(all));
            } else {
                newYaml = edited;
            }
        }
        if (!conda.isEmpty()) {
            byHand.add((env.condaFile() == null ? "a conda environment file" : project.relativize(env.condaFile()).toString())
                    + ": add to 'dependencies' " + String.join(", ", conda));
        }
        if (!newYaml.equals(yaml)) {
            replace(specFile, newYaml, project);
            written.add(0, specName);
        }
        return new Outcome(pip, apt, conda, written, byHand);
    }

    /**
     * Writes {@code text} over {@code file} whole (never half-written), keeping its owner and mode; a new file belongs to
     * the project's owner: this process may run as root, the project is someone else's.
     */
    private static void replace(Path file, String text, Path project) {
        try {
            boolean existed = Files.exists(file);
            ProjectOwner owner = ProjectOwner.of(existed ? file : project);
            java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = existed ? Files.getPosixFilePermissions(file) : null;
            Json.writeAtomically(file, text);
            if (mode != null) {
                Files.setPosixFilePermissions(file, mode);
            }
            if (!owner.equals(ProjectOwner.of(file))) {
                Files.setAttribute(file, "unix:uid", owner.uid());
                Files.setAttribute(file, "unix:gid", owner.gid());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
