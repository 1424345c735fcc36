package io.powerai.core.stage.environment;

import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.InFlight;
import io.powerai.core.PowerAiException;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.RegistryAttestations;
import io.powerai.core.attest.StageAttestations;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.gpu.GpuProbe;
import io.powerai.core.gpu.GpuStack;
import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.python.CondaEnvironment;
import io.powerai.core.python.RequirementsFile;
import io.powerai.core.python.Version;
import io.powerai.core.snapshot.Capture;
import io.powerai.core.snapshot.LockFiles;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.powerai.core.image.DockerfileWriter.shellWord;

/**
 * EO: pins the experiment environment. The snapshot id is the SHA-256 of a canonical description of the
 * environment (base image by digest, every package, every input file's bytes), so the same inputs always name
 * the same image and an unchanged environment is never built twice. After a build, the image is looked into
 * (what pip, conda and dpkg installed) and the manifest and lock files are written from what was found.
 */
public final class EnvironmentSnapshot {
    /** Bumped whenever the Dockerfile rendering changes, so that old snapshots are not mistaken for new ones. */
    static final int RENDERER_VERSION = 3;
    static final Stage STAGE = Stage.SNAPSHOT;
    /** Where the snapshot's inputs live inside the image. */
    static final String IMAGE_HOME = "/opt/powerai";
    public static final String MANIFEST = "manifest.json";
    static final String CAPTURED_REQUIREMENTS = "captured-requirements.txt";
    /**
     * Before every conda install: conda-libmamba-solver 23.5 to 24.9 adds the channels the installed packages came from
     * to those asked for, so an install from a channel of one's own over a base from conda-forge fails where
     * conda-forge cannot be reached; this setting turns that off (later versions never do it, and ignore it).
     */
    static final String CONDA_SOLVER_ENV = "CONDA_LIBMAMBA_SOLVER_NO_CHANNELS_FROM_INSTALLED=1";
    /** The GPU stack of the host the snapshot was taken on, when it has GPUs. */
    public static final String GPU_STACK = "gpu-stack.json";

    private EnvironmentSnapshot() {
    }

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

    /** The canonical form that is hashed into the snapshot id. */
    static Map<String, Object> canonicalForm(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles,
                                             ImageReference pinnedCapture) {
        Map<String, Object> form = new TreeMap<>();
        form.put("renderer", RENDERER_VERSION);
        form.put("base", pinnedBase.toString());
        form.put("apt_packages", env.aptPackages().stream().sorted().toList());
        form.put("env", env.env());
        form.put("files", new TreeMap<>(inputFiles));
        if (env.cuda() != null) {
            form.put("cuda", env.cuda());
        }
        if (env.cudnn() != null) {
            form.put("cudnn", env.cudnn());
        }
        if (pinnedCapture != null) {
            form.put("capture_from", pinnedCapture.toString());
        }
        return form;
    }

    public static String snapshotId(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles) {
        return snapshotId(env, pinnedBase, inputFiles, null);
    }

    public static String snapshotId(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles,
                                    ImageReference pinnedCapture) {
        return Digests.sha256(Json.canonicalBytes(canonicalForm(env, pinnedBase, inputFiles, pinnedCapture)));
    }

    /** The Dockerfile of the snapshot image; byte-for-byte the same for the same inputs. */
    public static String renderDockerfile(String projectName, EnvironmentSpec env, ImageReference base,
                                          ImageReference pinnedBase, String snapshotId) {
        return renderDockerfile(projectName, env, null, base, pinnedBase, snapshotId);
    }

    /**
     * The Dockerfile with what {@code capture_from} derived. OCI labels carry no creation time: it would change
     * the image for the same inputs (the snapshot id is the version instead).
     */
    public static String renderDockerfile(String projectName, EnvironmentSpec env, Derived derived, ImageReference base,
                                          ImageReference pinnedBase, String snapshotId) {
        DockerfileWriter out = new DockerfileWriter();
        out.comment("Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.");
        out.from(pinnedBase.toString());
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
        out.labels(labels, true);
        out.env(env.env());
        List<String> apt = aptPackages(env, derived);
        if (!apt.isEmpty()) {
            out.run(aptInstall("", apt));
        }
        if (!env.inputFiles().isEmpty()) {
            out.copy("project/", IMAGE_HOME + "/project/");
        }
        if (env.conda() != null) {
            out.run(CONDA_SOLVER_ENV + " conda env update --name base --file "
                    + shellWord(IMAGE_HOME + "/project/" + relative(env, env.condaFile())) + " \\\n && conda clean --all --yes");
        }
        if (derived != null && !derived.conda().isEmpty()) {
            // Exact specs (channel, version and build) from those channels only: the solver has nothing left to choose.
            StringBuilder install = new StringBuilder(CONDA_SOLVER_ENV + " conda install --yes --name base --override-channels");
            derived.condaChannels().forEach(c -> install.append(" --channel ").append(shellWord(c)));
            derived.conda().forEach(c -> install.append(" \\\n      ").append(DockerfileWriter.shellQuoted(c)));
            out.run(install.append(" \\\n && conda clean --all --yes").toString());
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
            // pip resolves the file's relative paths (-r, -c, ./pkg) from where it runs: the requirements file's folder.
            // PEP 668 images (Debian 12) refuse pip in the system Python without PIP_BREAK_SYSTEM_PACKAGES; in an
            // image that is the point. The report records each archive's hash for the lock.
            StringBuilder install = new StringBuilder("cd " + shellWord(workDir)
                    + " \\\n && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1"
                    + " PIP_ROOT_USER_ACTION=ignore \\\n    python3 -m pip install --no-cache-dir --report " + Capture.PIP_REPORT);
            requirementFiles.forEach(f -> install.append(" \\\n      --requirement ").append(shellWord(f)));
            out.run(install.toString());
        }
        return out.toString();
    }

    /** The RUN text installing {@code packages} ({@code name=version}, each quoted where it needs to be) with apt. */
    static String aptInstall(String options, List<String> packages) {
        StringBuilder run = new StringBuilder("apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends")
                .append(options);
        packages.forEach(p -> run.append(" \\\n      ").append(shellWord(p)));
        return run.append(" \\\n && rm -rf /var/lib/apt/lists/*").toString();
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

    /** Runs the stage; stopped (the context's cancellation aborted), it is recorded as aborted, its build stopped. */
    public static Map<String, Object> run(StageContext ctx) {
        ctx.spec().require(STAGE);
        try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
            return runInFlight(ctx);
        }
    }

    private static Map<String, Object> runInFlight(StageContext ctx) {
        EnvironmentSpec env = ctx.spec().environment();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        env.warnings().forEach(events::warning);

        ImageReference base = env.baseImage();
        ImageReference pinnedBase = pin(ctx, base, "base_image");
        ImageReference pinnedCapture = env.captureFrom() == null ? null : pin(ctx, env.captureFrom(), "capture_from");

        Map<String, String> inputFiles = env.inputFiles();
        String id = snapshotId(env, pinnedBase, inputFiles, pinnedCapture);
        ImageReference target = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-env", id);
        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path context = stageDir.resolve("context");
        Path manifestFile = stageDir.resolve(MANIFEST);
        events.progress("snapshot " + id.substring(0, 12) + " of base " + pinnedBase);

        Optional<String> existing = ctx.registry().digest(target);
        Manifest previous = existing.isPresent() ? Manifest.readIfPresent(manifestFile) : null;
        boolean unchanged = previous != null && id.equals(previous.snapshotId()) && existing.get().equals(previous.imageDigest());
        boolean built = existing.isEmpty();
        String dockerfile;
        Manifest manifest;
        if (unchanged) {
            manifest = previous;
            dockerfile = pinnedCapture == null ? renderDockerfile(ctx.spec().name(), env, base, pinnedBase, id) : null;
            if (dockerfile != null) {
                writeContext(context, dockerfile, env, null);
            }
            events.progress("registry already has " + target + " (" + existing.get() + "): inputs unchanged, build skipped");
        } else {
            Derived derived = pinnedCapture == null ? null : derive(ctx, env, pinnedCapture, pinnedBase, events);
            boolean pipInstall = env.pip() != null || (derived != null && !derived.pip().isEmpty());
            if (built && BasePipProbe.needed(env, pipInstall, derived != null && !derived.conda().isEmpty())) {
                BasePipProbe.requirePip(ctx.engine(), base, pinnedBase, stageDir, STAGE.stepName(),
                        env.pip() != null ? "pip_requirements" : "capture_from");
            }
            dockerfile = renderDockerfile(ctx.spec().name(), env, derived, base, pinnedBase, id);
            writeContext(context, dockerfile, env, derived);
            String digest;
            if (existing.isPresent()) {
                digest = existing.get();
                events.progress("registry already has " + target + " (" + digest + "): inputs unchanged, build skipped");
            } else {
                digest = buildAndPush(ctx, context, target, events);
            }
            ctx.engine().ensureAvailable();
            events.progress("looking inside " + target.pinned(digest) + " (pip, conda, dpkg)");
            Capture.Captured image = Capture.run(ctx.engine(), target.pinned(digest).toString(), line -> { });
            Capture.Captured baseCapture = Capture.run(ctx.engine(), pinnedBase.toString(), line -> { });
            manifest = manifest(id, target, digest, base, pinnedBase, env, image, baseCapture);
            manifest.write(manifestFile);
        }
        if (dockerfile == null) {
            dockerfile = readOrEmpty(context.resolve("Dockerfile"));
        }
        Map<String, String> locks = writeLocks(stageDir, manifest, indexOptions(env));
        events.progress(manifest.packages().size() + " packages pinned (" + count(manifest, Manifest.SOURCE_PIP) + " pip, "
                + count(manifest, Manifest.SOURCE_CONDA) + " conda, " + count(manifest, Manifest.SOURCE_APT) + " apt); manifest "
                + ctx.workspace().dir().relativize(manifestFile));
        ImageReference pinned = target.pinned(manifest.imageDigest());
        GpuStack gpuStack = recordGpuStack(ctx, env, stageDir.resolve(GPU_STACK), events);

        Map<String, String> inputs = new TreeMap<>(inputFiles);
        inputs.put("base_image", pinnedBase.toString());
        if (pinnedCapture != null) {
            inputs.put("capture_from", pinnedCapture.toString());
        }
        Map<String, String> outputs = new TreeMap<>(locks);
        outputs.put("image", pinned.toString());
        outputs.put("Dockerfile", Digests.sha256(dockerfile));
        outputs.put(MANIFEST, Digests.sha256(manifestFile));
        Map<String, Object> details = new TreeMap<>();
        details.put("snapshotId", id);
        details.put("built", built);
        details.put("packages", manifest.packages().size());
        if (gpuStack != null) {
            details.put("gpuStack", gpuStack.fingerprint());
            outputs.put(GPU_STACK, Digests.sha256(stageDir.resolve(GPU_STACK)));
        }
        ctx.cancellation().recording(STAGE.stepName());
        Attestor.Written attestations = StageAttestations.environment(ctx.attestor(), ctx.workspace().dir(), STAGE.stepName(),
                StageAttestations.Timing.endingAt(ctx.clock().instant(), (System.nanoTime() - started) / 1_000_000), manifest, env,
                pinnedBase, pinnedCapture);
        RegistryAttestations.publish(ctx.registry(), pinned, ctx.workspace().dir(), STAGE.stepName()).values().forEach(a -> events.progress("attached " + a));
        details.put("attestations", attestations.toJson());
        AuditLog.Appended record = ctx.workspace().audit().append(
                new AuditLog.Entry(STAGE.stepName(), "succeeded", inputs, outputs, details));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", STAGE.stepName());
        result.put("status", "succeeded");
        result.put("snapshotId", id);
        result.put("image", pinned.toString());
        result.put("imageTag", target.toString());
        result.put("digest", manifest.imageDigest());
        result.put("baseImage", base.toString());
        result.put("baseImageDigest", pinnedBase.digest().orElseThrow());
        result.put("built", built);
        result.put("dockerfile", ctx.workspace().dir().relativize(context.resolve("Dockerfile")).toString());
        result.put("manifest", ctx.workspace().dir().relativize(manifestFile).toString());
        result.put("lockFiles", locks.keySet().stream().map(f -> ctx.workspace().dir().relativize(stageDir.resolve(f)).toString()).toList());
        result.put("packages", manifest.packages().size());
        if (gpuStack != null) {
            result.put("gpuStack", gpuStack.toJson());
        }
        result.put("warnings", env.warnings().size());
        result.put("attestations", attestations.toJson());
        result.put("durationMillis", (System.nanoTime() - started) / 1_000_000);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, result);
        return result;
    }

    /**
     * On a GPU host, the host's GPU stack, written to {@code file} and returned; elsewhere (no nvidia-smi, no GPU)
     * null and no file. Not part of the snapshot id: the same environment may be built on any host, and the
     * stack is what a later training compares itself with.
     */
    static GpuStack recordGpuStack(StageContext ctx, EnvironmentSpec env, Path file, StageEvents events) {
        GpuProbe probe = ctx.gpu().nvidiaSmi().probe();
        if (!(probe instanceof GpuProbe.Found found) || found.inventory().count() == 0) {
            deleteIfExists(file);
            return null;
        }
        GpuStack stack = GpuStack.of(found.inventory(), env.cudnn());
        Json.writeAtomically(file, Json.pretty(stack.toJson()));
        events.progress("GPU stack recorded with the snapshot: driver " + stack.driverVersion() + ", CUDA " + stack.cudaVersion()
                + ", " + found.inventory().summary());
        return stack;
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the stale " + file + ": " + e.getMessage(), e);
        }
    }

    private static long count(Manifest m, String source) {
        return m.packages().stream().filter(p -> p.source().equals(source)).count();
    }

    static Manifest manifest(String id, ImageReference target, String digest, ImageReference base, ImageReference pinnedBase,
                             EnvironmentSpec env, Capture.Captured image, Capture.Captured baseCapture) {
        return new Manifest(id, target.toString(), digest, base.toString(), pinnedBase.digest().orElseThrow(), image.osRelease(),
                image.pythonVersion(), image.pythonImplementation(), env.cuda(), env.cudnn(), env.env(), env.inputFiles(),
                image.condaPresent() ? image.condaName() : null, image.condaChannels(), Manifest.packages(image, baseCapture));
    }

    private static String buildAndPush(StageContext ctx, Path context, ImageReference target, StageEvents events) {
        // A credential that may pull but not push (or none at all) fails here, before minutes of build, and leaves nothing.
        ctx.registry().requirePush(target);
        events.progress("building " + target);
        ctx.engine().ensureAvailable();
        ProcessRunner.Result build = ctx.engine().build(context, target.toString(), events::log);
        if (build.exitCode() != 0) {
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": building " + target + " failed (exit "
                    + build.exitCode() + "): " + build.lastLines(1));
        }
        events.progress("pushing " + target);
        ProcessRunner.Result push = ctx.engine().push(target.toString(), events::log);
        if (push.exitCode() != 0) {
            throw new PowerAiException.InfrastructureUnavailable(STAGE.stepName() + ": pushing " + target + " failed (exit "
                    + push.exitCode() + "): " + push.lastLines(1));
        }
        String digest = ctx.registry().digest(target).orElseThrow(() -> new PowerAiException.InfrastructureUnavailable(
                STAGE.stepName() + ": registry does not show " + target + " right after the push"));
        events.progress("pushed " + target + " (" + digest + ")");
        return digest;
    }

    /**
     * capture_from: what the image the user experimented in has over the base. Pins that contradict the spec's own
     * are invalid input, all reported at once.
     */
    static Derived derive(StageContext ctx, EnvironmentSpec env, ImageReference captureFrom, ImageReference pinnedBase, StageEvents events) {
        ctx.engine().ensureAvailable();
        events.progress("capturing what is installed in " + captureFrom);
        Capture.Captured captured = Capture.run(ctx.engine(), captureFrom.toString(), line -> { });
        Capture.Captured base = Capture.run(ctx.engine(), pinnedBase.toString(), line -> { });
        Derived derived = derive(captureFrom.toString(), captured, base);
        List<String> problems = conflicts(env, derived);
        if (!problems.isEmpty()) {
            throw new PowerAiException.InvalidInput(String.join("\n", problems));
        }
        requireCondaInBase(derived, base, pinnedBase.toString());
        events.progress("derived " + derived.pip().size() + " pip, " + derived.conda().size() + " conda and " + derived.apt().size()
                + " apt pins from " + captureFrom);
        return derived;
    }

    /** Derived conda pins need conda in the base to install them with. */
    static void requireCondaInBase(Derived derived, Capture.Captured base, String pinnedBase) {
        if (!derived.conda().isEmpty() && !base.condaPresent()) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'capture_from' " + derived.image() + " has "
                    + derived.conda().size() + " conda package(s) over the base, but 'base_image' " + pinnedBase
                    + " has no conda to install them with; use the conda base the experiment image was made from");
        }
    }

    /**
     * Pure: the pins of what {@code captured} installed or changed over {@code base}. A conda pin names the channel its
     * package came from where that is known, and the channels to install from are those of the pins; where a pin's
     * channel is unknown, all the channels of the captured environment.
     */
    public static Derived derive(String image, Capture.Captured captured, Capture.Captured base) {
        List<String> apt = new ArrayList<>();
        captured.dpkg().forEach((name, version) -> {
            if (!version.equals(base.dpkg().get(name))) {
                apt.add(name + "=" + version);
            }
        });
        Map<String, String> urls = new TreeMap<>();
        for (String line : captured.pipFreeze()) {
            int at = line.indexOf(" @ ");
            if (at > 0 && !line.startsWith("-")) {
                java.util.Optional<String> credential = io.powerai.core.python.UrlCredentials.find(line);
                if (credential.isPresent()) {
                    throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'capture_from' " + image + ": pip freeze names '"
                            + credential.get() + "', a credential in the URL (rule: " + io.powerai.core.python.UrlCredentials.rule() + ")");
                }
                urls.put(io.powerai.core.python.PackageName.normalize(line.substring(0, at).strip()), line);
            }
        }
        List<String> pip = new ArrayList<>();
        captured.python().values().forEach(d -> {
            Capture.PythonDistribution inBase = base.python().get(d.name());
            boolean installedByPip = d.installer() != null && !d.installer().equals("conda");
            if (installedByPip && (inBase == null || !inBase.version().equals(d.version()))) {
                pip.add(urls.getOrDefault(d.name(), d.name() + "==" + d.version()));
            }
        });
        List<String> conda = new ArrayList<>();
        List<String> pinChannels = new ArrayList<>();
        captured.conda().forEach((name, pkg) -> {
            Capture.CondaPackage inBase = base.conda().get(name);
            boolean same = inBase != null && java.util.Objects.equals(inBase.version(), pkg.version())
                    && java.util.Objects.equals(inBase.build(), pkg.build());
            // pip-installed distributions show up in conda's list with channel "pypi"; pip pins them.
            if (!same && !"pypi".equals(pkg.channel()) && pkg.version() != null) {
                conda.add(new CondaEnvironment.MatchSpec(pkg.channel(), name, pkg.version(), pkg.build(), name).pinned());
                pinChannels.add(pkg.channel());
            }
        });
        return new Derived(image, apt, pip, conda, CondaEnvironment.installChannels(pinChannels, captured.condaChannels()));
    }

    static List<String> conflicts(EnvironmentSpec env, Derived derived) {
        List<String> problems = new ArrayList<>();
        String stage = STAGE.stepName();
        Map<String, String> capturedPip = new TreeMap<>();
        derived.pip().forEach(p -> {
            int eq = p.indexOf("==");
            if (eq > 0) {
                capturedPip.put(p.substring(0, eq), p.substring(eq + 2));
            }
        });
        if (env.pip() != null) {
            for (RequirementsFile.Line line : env.pip().requirements()) {
                if (line.kind() != RequirementsFile.Kind.NAMED || !line.requirement().isPinned()) {
                    continue;
                }
                String captured = capturedPip.get(line.name());
                String pinned = line.requirement().specifier().pinnedVersion();
                if (captured != null && !sameVersion(captured, pinned)) {
                    problems.add(stage + ": 'pip_requirements' " + line.location() + ": conflicting pins: " + line.name() + " is pinned to "
                            + pinned + " here but " + derived.image() + " ('capture_from') has " + captured + "; pin it to one version");
                }
            }
        }
        Map<String, String> capturedApt = new TreeMap<>();
        derived.apt().forEach(p -> capturedApt.put(p.split("=", 2)[0], p.split("=", 2)[1]));
        for (String pkg : env.aptPackages()) {
            String[] parts = pkg.split("=", 2);
            if (parts.length == 2 && capturedApt.containsKey(parts[0]) && !capturedApt.get(parts[0]).equals(parts[1])) {
                problems.add(stage + ": 'apt_packages' conflicting pins: " + parts[0] + " is pinned to " + parts[1] + " but "
                        + derived.image() + " ('capture_from') has " + capturedApt.get(parts[0]) + "; pin it to one version; got '" + pkg + "'");
            }
        }
        return problems;
    }

    private static boolean sameVersion(String a, String b) {
        Version va = Version.tryParse(a);
        Version vb = Version.tryParse(b);
        return va != null && vb != null ? va.equals(vb) : a.equalsIgnoreCase(b);
    }

    /** The index options of the requirement files pip installs from: {@code pip_requirements}, a conda file's {@code pip:} list. */
    static List<String> indexOptions(EnvironmentSpec env) {
        List<String> options = new ArrayList<>();
        if (env.pip() != null) {
            options.addAll(env.pip().options());
        }
        if (env.conda() != null && env.conda().pip() != null) {
            env.conda().pip().options().stream().filter(o -> !options.contains(o)).forEach(options::add);
        }
        return options;
    }

    /** Writes the lock files the manifest calls for and removes stale ones; returns file name to SHA-256. */
    static Map<String, String> writeLocks(Path dir, Manifest manifest, List<String> indexOptions) {
        Map<String, String> written = new TreeMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        // A lock file is written only when it pins something; an empty one would suggest there was nothing to pin.
        contents.put(LockFiles.REQUIREMENTS, LockFiles.pipPackages(manifest).isEmpty() ? null : LockFiles.requirements(manifest, indexOptions));
        contents.put(LockFiles.APT, manifest.snapshotLayer(Manifest.SOURCE_APT).isEmpty() ? null : LockFiles.apt(manifest));
        contents.put(LockFiles.CONDA, LockFiles.conda(manifest));
        contents.forEach((name, text) -> {
            Path file = dir.resolve(name);
            if (text == null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove the stale " + file + ": " + e.getMessage(), e);
                }
                return;
            }
            if (!text.equals(readOrEmpty(file))) {
                Json.writeAtomically(file, text);
            }
            written.put(name, Digests.sha256(text));
        });
        return written;
    }

    static String readOrEmpty(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static ImageReference pin(StageContext ctx, ImageReference ref, String field) {
        if (ref.digest().isPresent()) {
            return ref.pinned(ref.digest().get());
        }
        String digest = ctx.registry().digest(ref).orElseThrow(() -> new PowerAiException.InvalidInput(STAGE.stepName()
                + ": '" + field + "' must name an image that exists in its registry; got '" + ref + "' (tag "
                + ref.tagOrLatest() + " not found in " + ref.registry() + ")"));
        return ref.pinned(digest);
    }

    /** The build context: the Dockerfile, every input file under project/ at its path, the derived requirements. */
    static void writeContext(Path context, String dockerfile, EnvironmentSpec env, Derived derived) {
        try {
            ProjectPaths.deleteTree(context);
            Files.createDirectories(context);
            Json.writeAtomically(context.resolve("Dockerfile"), dockerfile);
            Path project = env.projectDir();
            String where = STAGE.stepName() + ": input files";
            for (String rel : env.inputFiles().keySet()) {
                Path from = project.resolve(rel.equals("./") ? "." : rel);
                Path to = context.resolve("project").resolve(rel.equals("./") ? "." : rel).normalize();
                // Plain files only, each checked again as it is copied: links resolved, none out of the project.
                if (rel.endsWith("/")) {
                    ProjectPaths.copyTree(from, project, Set.of(io.powerai.core.workspace.Workspace.DIR_NAME), to, where);
                } else {
                    ProjectPaths.copyFile(ProjectPaths.requireInside(project, from, where).toRealPath(), to);
                }
            }
            if (derived != null && !derived.pip().isEmpty()) {
                Files.writeString(context.resolve(CAPTURED_REQUIREMENTS), derived.requirementsFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + context + ": " + e.getMessage(), e);
        }
    }

    /** The manifest of the last snapshot in a workspace's stage folder, for verify and diff. */
    public static Path manifestFile(io.powerai.core.workspace.Workspace workspace) {
        Path file = workspace.dir().resolve(STAGE.section()).resolve(MANIFEST);
        // Read back and quoted in messages: a committed link must not show a host file's first bytes.
        ProjectPaths.requireNoLink(file.getParent(), ".powerai/" + STAGE.section(), STAGE.stepName());
        ProjectPaths.requireNoLink(file, ".powerai/" + STAGE.section() + "/" + MANIFEST, STAGE.stepName());
        return file;
    }

}
