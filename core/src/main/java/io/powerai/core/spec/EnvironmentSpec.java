package io.powerai.core.spec;

import io.powerai.core.image.ImageReference;
import io.powerai.core.python.CondaEnvironment;
import io.powerai.core.python.RequirementsFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code environment} section: what the snapshot image is made of. Input files (pip requirements with their
 * includes, a conda environment file) are read and checked here, so that every problem of every file is
 * reported with the spec's other problems, before anything runs.
 *
 * @param pip the parsed requirements (includes flattened), or null without {@code pip_requirements}
 * @param conda the parsed conda environment, or null without {@code conda_file}
 * @param warnings things that do not stop the snapshot but make it less reproducible, one line each
 */
public record EnvironmentSpec(
        ImageReference baseImage,
        Path pipRequirements,
        List<String> aptPackages,
        SortedMap<String, String> env,
        Path condaFile,
        boolean strict,
        ImageReference captureFrom,
        String cuda,
        String cudnn,
        Path projectDir,
        RequirementsFile.Result pip,
        CondaEnvironment conda,
        List<String> warnings) {

    public static final Set<String> KEYS = Set.of("base_image", "pip_requirements", "apt_packages", "env",
            "conda_file", "strict", "capture_from", "cuda", "cudnn");

    // Debian policy: package names are lowercase alphanumerics and + - . ; versions add ~ : and uppercase.
    private static final Pattern APT_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?");
    private static final Pattern CUDA_VERSION = Pattern.compile("[0-9]+(\\.[0-9]+){0,2}");

    public EnvironmentSpec {
        aptPackages = List.copyOf(aptPackages);
        env = new TreeMap<>(env);
        warnings = List.copyOf(warnings);
    }

    /** Base image, a requirements file (read and checked), apt packages and variables: the walking skeleton's keys. */
    public EnvironmentSpec(ImageReference baseImage, Path pipRequirements, List<String> aptPackages, SortedMap<String, String> env) {
        this(baseImage, pipRequirements, aptPackages, env, null, false, null, null, null,
                pipRequirements == null ? null : pipRequirements.toAbsolutePath().getParent(),
                pipRequirements == null ? null : RequirementsFile.parse(pipRequirements, pipRequirements.toAbsolutePath().getParent()),
                null, List.of());
    }

    /**
     * Every input file by its path relative to the project, with its SHA-256 (a directory that a requirement
     * names, by the digest of its tree): what the snapshot id hashes besides the spec's values.
     */
    public SortedMap<String, String> inputFiles() {
        SortedMap<String, String> files = new TreeMap<>();
        if (pip != null) {
            files.putAll(pip.files());
        }
        if (conda != null) {
            files.putAll(conda.files());
        }
        return files;
    }

    static EnvironmentSpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        List<String> warnings = new ArrayList<>();
        ImageReference base = image(s, "base_image", true);
        if (base != null && base.digest().isEmpty() && (base.tag().isEmpty() || base.tag().get().equals("latest"))) {
            warnings.add("base image " + base + " is not pinned (tag 'latest'): it is pinned by digest for this snapshot,"
                    + " but a later snapshot may see another image; name a version tag or a digest");
        }
        boolean strict = s.bool("strict", false);
        Path pipFile = s.pathInside("pip_requirements", false, projectDir, false);
        RequirementsFile.Result pip = null;
        if (pipFile != null) {
            pip = RequirementsFile.parse(pipFile, projectDir);
            report(s, "pip_requirements", pip, strict, warnings);
        }
        Path condaFile = s.pathInside("conda_file", false, projectDir, false);
        CondaEnvironment conda = null;
        if (condaFile != null) {
            conda = CondaEnvironment.parse(condaFile, projectDir);
            for (RequirementsFile.Issue issue : conda.errors()) {
                s.problems().add(s.stage(), "'conda_file' " + issue.describe());
            }
            if (conda.pip() != null) {
                report(s, "conda_file", new RequirementsFile.Result(conda.pip().requirements(), List.of(), List.of(),
                        new TreeMap<>(), List.of(), conda.pip().warnings()), strict, warnings);
            }
        }
        ImageReference capture = image(s, "capture_from", false);
        if (capture != null && conda != null) {
            s.problem("capture_from", capture.toString(), "cannot be combined with 'conda_file' (the captured image's packages"
                    + " are the environment); remove one of them");
        }
        String cuda = s.matching("cuda", false, CUDA_VERSION, "must be a CUDA version like 12.1 or 11.8.0");
        String cudnn = s.matching("cudnn", false, CUDA_VERSION, "must be a cuDNN version like 8.9 or 9.1.0");
        List<String> apt = new ArrayList<>();
        for (String pkg : s.stringList("apt_packages")) {
            if (APT_PACKAGE.matcher(pkg).matches()) {
                apt.add(pkg);
            } else {
                s.problem("apt_packages", pkg, "must hold Debian package names, optionally name=version");
            }
        }
        SortedMap<String, String> env = s.environment("env");
        // A Dockerfile ENV value cannot hold a line break: it would end the instruction (and start another).
        env.entrySet().removeIf(e -> {
            boolean multiLine = e.getValue().contains("\n") || e.getValue().contains("\r");
            if (multiLine) {
                s.problem("env." + e.getKey(), e.getValue(), "must be a single line (it becomes a Dockerfile ENV value)");
            }
            return multiLine;
        });
        return new EnvironmentSpec(base, pipFile, apt, env, condaFile, strict, capture, cuda, cudnn,
                projectDir.toAbsolutePath().normalize(), pip, conda, warnings);
    }

    private static ImageReference image(Section s, String key, boolean required) {
        String text = s.string(key, required);
        if (text == null) {
            return null;
        }
        try {
            return ImageReference.parse(text);
        } catch (IllegalArgumentException e) {
            s.problem(key, text, "must be an image reference [registry/]name[:tag][@sha256:digest]: " + e.getMessage());
            return null;
        }
    }

    /** Errors become problems; lines that may install something else next time warn, or fail under strict. */
    private static void report(Section s, String key, RequirementsFile.Result result, boolean strict, List<String> warnings) {
        for (RequirementsFile.Issue issue : result.errors()) {
            s.problems().add(s.stage(), "'" + key + "' " + issue.describe());
        }
        for (RequirementsFile.Issue issue : result.warnings()) {
            warnings.add("'" + key + "' " + issue.describe());
        }
        for (RequirementsFile.Line line : result.requirements()) {
            String reason = line.notReproducible();
            if (reason == null) {
                continue;
            }
            if (strict) {
                s.problems().add(s.stage(), "'" + key + "' " + line.location() + ": not allowed with strict: true, because "
                        + reason + "; got '" + line.text() + "'");
            } else {
                warnings.add("'" + key + "' " + line.location() + ": not reproducible: " + reason
                        + " (pin a released version, or set strict: true to refuse such lines); got '" + line.text() + "'");
            }
        }
    }
}
