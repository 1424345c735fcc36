package io.powerai.core.dev;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.Mount;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.json.Digests;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.TrainingPreflight;
import io.powerai.core.stage.training.TrainingRun;
import io.powerai.core.stage.environment.EnvironmentSnapshot;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code powerai dev}: a Jupyter server in the project's environment snapshot, safe by default. The snapshot image
 * (built first when needed, as {@code snapshot} does) plus the dev layer runs detached, with the project mounted
 * read-write as the notebooks' folder, the data read-only and the GPUs as a training would have them. Jupyter listens
 * on 127.0.0.1 only, wants a random token, keeps its XSRF checks, never runs as root, and gets nothing from this
 * process's environment.
 */
public final class DevEnvironment {
    static final String STAGE = "dev";
    static final String HOME = "/tmp/powerai-home";
    static final String OUTPUTS_DIR = "outputs";
    static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    private DevEnvironment() {
    }

    /** The container of a project's dev server: its name and a digest of its folder, so two copies never collide. */
    public static String containerName(String projectName, Path projectDir) {
        return "powerai-dev-" + projectName + "-" + Digests.sha256(projectDir.toAbsolutePath().normalize().toString()).substring(0, 8);
    }

    /** The dev layer's working folder: build context and the outputs a training script run from a notebook writes. */
    static Path devDir(StageContext ctx) {
        return ctx.workspace().dir().resolve(STAGE);
    }

    /** Starts the server (or finds it running) and returns once it answers. */
    public static DevState start(StageContext ctx, DevSettings settings) {
        ctx.spec().require(Stage.SNAPSHOT);
        StageEvents events = ctx.events().forStage(STAGE);
        Path workspace = ctx.workspace().dir();
        Path project = ctx.spec().projectDir();
        String container = containerName(ctx.spec().name(), project);
        DevState previous = DevState.read(workspace);
        if (previous != null) {
            ctx.engine().ensureAvailable();
            if (ctx.engine().isRunning(previous.container())) {
                events.progress("already running in " + previous.container() + " at " + previous.url());
                return previous;
            }
            events.progress("the last dev container " + previous.container() + " is not running any more: cleaning up");
            stop(ctx);
        }
        requirePortFree(settings);
        if (settings.remote()) {
            events.warning("listening on " + settings.listen() + ": other machines can reach the notebook server (the token is still"
                    + " required; use TLS in front of it on an untrusted network)");
        }

        String snapshotImage = EnvironmentSnapshot.run(ctx).image();
        Manifest manifest = Manifest.read(SnapshotFiles.manifestFile(ctx.workspace()), STAGE);
        DevLayer.Plan layer = DevLayer.plan(ctx.spec().name(), snapshotImage, manifest,
                DevLayer.hostDebianMirror(Path.of("/etc/apt")).orElse(null));
        DevLayer.ensureBuilt(ctx.engine(), layer, devDir(ctx).resolve("context"), events);
        String gpus = gpus(ctx, snapshotImage);

        ProjectOwner owner = ProjectOwner.of(project);
        ProjectOwner runAs = owner.runAs();
        Path outputs = devDir(ctx).resolve(OUTPUTS_DIR);
        createDirectories(outputs);
        String token = DevState.newToken();
        String url = "http://" + settings.probeHost() + ":" + settings.port() + "/";
        DevState state = new DevState(url, settings.port(), settings.listen(), token, container, layer.tag(), snapshotImage,
                runAs.engineUser(), owner.isRoot(), ctx.clock().instant().toString());
        // Written before anything changes hands: a start stopped half-way (Ctrl-C) is still undone by --stop.
        state.write(workspace);
        if (owner.isRoot()) {
            int handed = ProjectOwner.handOver(project, 0, runAs, Set.of(Workspace.DIR_NAME));
            events.progress("the project belongs to root: Jupyter runs as " + runAs.engineUser() + ", which holds its " + handed
                    + " file(s) until 'powerai dev --stop' gives them back to root");
        }
        ProjectOwner.handOver(outputs, ProjectOwner.of(outputs).uid(), runAs, Set.of());

        ctx.engine().remove(container); // a leftover of a run whose state was lost
        RunSpec run = runSpec(ctx, layer.tag(), container, runAs, settings, outputs, gpus);
        events.progress("starting " + container + " from " + layer.tag() + " as " + runAs.engineUser() + " on " + settings.listen()
                + ":" + settings.port() + (gpus == null ? "" : " with GPUs " + gpus));
        try {
            TreeMap<String, String> env = new TreeMap<>(run.env());
            env.put("JUPYTER_TOKEN", token); // in the engine's private env file, like every variable: never on a command line
            ctx.engine().start(run.withEnv(env));
            JupyterProbe.awaitReady(url, token, READY_TIMEOUT, ctx.engine(), container);
        } catch (PowerAiException | UncheckedIOException e) {
            ctx.engine().remove(container);
            if (owner.isRoot()) {
                giveBack(project, outputs);
            }
            DevState.delete(workspace);
            throw e;
        }
        events.progress("Jupyter answers at " + url + " (token in " + DevState.file(workspace) + ")");
        return state;
    }

    /** The container run: pure, so the mounts, user and flags are tested without an engine. */
    static RunSpec runSpec(StageContext ctx, String image, String container, ProjectOwner runAs, DevSettings settings, Path outputs,
                           String gpus) {
        TrainSpec train = ctx.spec().train();
        List<Mount> mounts = new ArrayList<>();
        mounts.add(new Mount(ctx.spec().projectDir(), TrainingRun.PROJECT, false));
        if (train != null && train.data() != null) {
            mounts.add(new Mount(train.data(), TrainingRun.DATA, true));
        }
        mounts.add(new Mount(outputs, TrainingRun.OUTPUTS, false));
        // The training's own variables (from powerai.yaml, never this process's environment), then the server's.
        TreeMap<String, String> env = new TreeMap<>(train == null ? Map.of() : train.env());
        env.put("POWERAI_DATA", TrainingRun.DATA);
        env.put("POWERAI_OUTPUTS", TrainingRun.OUTPUTS);
        env.put("PYTHONUNBUFFERED", "1");
        env.put("HOME", HOME); // writable for any uid: the runtime files, and what pip installs from a notebook (user site)
        env.put("PIP_BREAK_SYSTEM_PACKAGES", "1");
        env.put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        // From HOME, not the project: Jupyter reads config files from its working directory, and the project's files
        // come from pull requests. Every setting that guards the server is given here, where no config file overrides it.
        String server = "mkdir -p \"$HOME\" && cd \"$HOME\" && exec jupyter-notebook --no-browser"
                + " --ip=" + settings.listen() + " --port=" + settings.port() + " --port-retries=0"
                + " --notebook-dir=" + TrainingRun.PROJECT
                + " --NotebookApp.disable_check_xsrf=False --NotebookApp.allow_root=False --NotebookApp.password=";
        return RunSpec.of(image, List.of("sh", "-c", server))
                .withName(container)
                .withMounts(mounts)
                .withEnv(env)
                .withNetwork("host")
                .withWorkDir(TrainingRun.PROJECT)
                .withUser(runAs.engineUser())
                .withGpus(gpus)
                .withShmSize(train == null ? null : train.shmSize())
                .withUlimits(train == null ? Map.of() : train.ulimits())
                .withLabels(Map.of("io.powerai.managed", "true", "io.powerai.stage", STAGE));
    }

    /** The GPUs a training of this project would get: the same request, through the same preflight. */
    static String gpus(StageContext ctx, String image) {
        TrainSpec train = ctx.spec().train();
        // only the container backend trains in the snapshot image on this agent, as the dev environment runs
        if (train == null || !train.wantsGpus() || !TrainSpec.CONTAINER.equals(train.backend())) {
            return null;
        }
        Object engineGpus = TrainingPreflight.run(ctx, image).get("engineGpus");
        return engineGpus == null ? null : engineGpus.toString();
    }

    /** Stops the server; what it wrote as the stand-in for root goes back to root. False when nothing ran. */
    public static boolean stop(StageContext ctx) {
        StageEvents events = ctx.events().forStage(STAGE);
        DevState state = DevState.read(ctx.workspace().dir());
        String container = state != null ? state.container() : containerName(ctx.spec().name(), ctx.spec().projectDir());
        ctx.engine().ensureAvailable();
        boolean existed = ctx.engine().containerImage(container).isPresent();
        if (existed) {
            ctx.engine().remove(container);
            events.progress("stopped " + container);
        }
        if (state != null && state.standIn()) {
            int given = giveBack(ctx.spec().projectDir(), devDir(ctx).resolve(OUTPUTS_DIR));
            events.progress(given + " file(s) given back to root");
        }
        DevState.delete(ctx.workspace().dir());
        return existed || state != null;
    }

    private static int giveBack(Path project, Path outputs) {
        ProjectOwner root = new ProjectOwner(0, 0);
        int given = ProjectOwner.handOver(project, ProjectOwner.STAND_IN, root, Set.of(Workspace.DIR_NAME));
        return given + (Files.isDirectory(outputs) ? ProjectOwner.handOver(outputs, ProjectOwner.STAND_IN, root, Set.of()) : 0);
    }

    /** What runs: the state, or null when no server was started; {@code running} says whether its container still runs. */
    public record Status(DevState state, boolean running) {
    }

    public static Status status(StageContext ctx) {
        DevState state = DevState.read(ctx.workspace().dir());
        if (state == null) {
            return new Status(null, false);
        }
        ctx.engine().ensureAvailable();
        return new Status(state, ctx.engine().isRunning(state.container()));
    }

    /** The port must be free where Jupyter will bind it, and on loopback, where this machine probes it. */
    static void requirePortFree(DevSettings settings) {
        for (String host : new java.util.LinkedHashSet<>(List.of(settings.listen(), DevSettings.LOOPBACK))) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(host), settings.port()), 1);
            } catch (IOException e) {
                throw PowerAiException.InfrastructureUnavailable.bare("port " + settings.port() + " on " + host
                        + " is taken by another program (" + e.getMessage() + "); free it or choose another with --port");
            }
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
