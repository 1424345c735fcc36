package io.powerai.core.stage.environment;

import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.image.ImageReference;
import io.powerai.core.spec.EnvironmentSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.powerai.core.stage.environment.InstallCommands.IMAGE_HOME;

/** The Dockerfile of a snapshot image: pure, byte-for-byte the same for the same inputs. */
public final class SnapshotDockerfile {
    /** The requirements file of what {@code capture_from} derived, in the build context and the image. */
    static final String CAPTURED_REQUIREMENTS = "captured-requirements.txt";

    private SnapshotDockerfile() {
    }

    public static String render(String projectName, EnvironmentSpec env, ImageReference base, ImageReference pinnedBase,
                                String snapshotId) {
        return render(projectName, env, null, base, pinnedBase, snapshotId);
    }

    /**
     * The Dockerfile with what {@code capture_from} derived. OCI labels carry no creation time: it would change
     * the image for the same inputs (the snapshot id is the version instead).
     */
    public static String render(String projectName, EnvironmentSpec env, Derived derived, ImageReference base,
                                ImageReference pinnedBase, String snapshotId) {
        DockerfileWriter out = new DockerfileWriter();
        out.comment("Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.");
        out.from(pinnedBase.toString());
        out.labels(labels(projectName, env, derived, base, pinnedBase, snapshotId), true);
        out.env(env.env());
        List<String> apt = aptPackages(env, derived);
        if (!apt.isEmpty()) {
            out.run(InstallCommands.apt("", apt));
        }
        if (!env.inputFiles().isEmpty()) {
            out.copy("project/", IMAGE_HOME + "/project/");
        }
        if (env.conda() != null) {
            out.run(InstallCommands.condaEnvUpdate(IMAGE_HOME + "/project/" + relative(env, env.condaFile())));
        }
        if (derived != null && !derived.conda().isEmpty()) {
            out.run(InstallCommands.condaInstall(derived.condaChannels(), derived.conda()));
        }
        List<String> requirementFiles = new ArrayList<>();
        String workDir = IMAGE_HOME;
        if (env.pip() != null) {
            workDir += "/project";
            Path rel = env.projectDir().relativize(env.pipRequirements().toAbsolutePath().normalize());
            if (rel.getParent() != null) {
                workDir += "/" + rel.getParent().toString().replace('\\', '/');
            }
            requirementFiles.add(rel.getFileName().toString());
        }
        if (derived != null && !derived.pip().isEmpty()) {
            out.copy(CAPTURED_REQUIREMENTS, IMAGE_HOME + "/" + CAPTURED_REQUIREMENTS);
            requirementFiles.add(IMAGE_HOME + "/" + CAPTURED_REQUIREMENTS);
        }
        if (!requirementFiles.isEmpty()) {
            out.run(InstallCommands.pipInstall(workDir, requirementFiles));
        }
        return out.toString();
    }

    private static Map<String, String> labels(String projectName, EnvironmentSpec env, Derived derived, ImageReference base,
                                              ImageReference pinnedBase, String snapshotId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("io.powerai.snapshot-id", snapshotId);
        labels.put("org.opencontainers.image.title", projectName + "-env");
        labels.put("org.opencontainers.image.description", "powerai environment snapshot of " + projectName);
        labels.put("org.opencontainers.image.version", snapshotId);
        labels.put("org.opencontainers.image.base.name", base.toString());
        labels.put("org.opencontainers.image.base.digest", pinnedBase.digest().orElseThrow());
        if (env.cuda() != null) {
            labels.put("io.powerai.cuda", env.cuda());
        }
        if (env.cudnn() != null) {
            labels.put("io.powerai.cudnn", env.cudnn());
        }
        if (derived != null) {
            labels.put("io.powerai.captured-from", derived.image());
        }
        return labels;
    }

    /** The spec's apt packages with the derived pins; a derived pin replaces the spec's unversioned name. */
    static List<String> aptPackages(EnvironmentSpec env, Derived derived) {
        Map<String, String> byName = new TreeMap<>();
        env.aptPackages().forEach(p -> byName.put(p.split("=", 2)[0], p));
        if (derived != null) {
            derived.apt().forEach(p -> byName.merge(p.split("=", 2)[0], p, (spec, captured) -> spec.contains("=") ? spec : captured));
        }
        return List.copyOf(byName.values());
    }

    private static String relative(EnvironmentSpec env, Path file) {
        return env.projectDir().relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}
