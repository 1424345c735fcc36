package io.powerai.core.engine;

import io.powerai.core.process.ProcessRunner;
import io.powerai.core.PowerAiException;
import io.powerai.core.image.ImageReference;
import io.powerai.core.registry.RegistryAuth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Drives the {@code docker} or {@code podman} command line. Both take the same arguments for what the stages
 * need; where they differ (GPU devices, push format, forced removal) the difference lives here only.
 */
public final class ContainerEngine {
    public enum Kind { DOCKER, PODMAN }

    private static final Duration QUICK = Duration.ofSeconds(60);
    private static final Duration LONG = Duration.ofHours(2);

    private final Kind kind;
    private final String binary;
    private final ProcessRunner runner;
    private final RegistryAuth auth;
    private volatile boolean checked;

    public ContainerEngine(Kind kind, String binary, ProcessRunner runner) {
        this(kind, binary, runner, RegistryAuth.none());
    }

    /** An engine whose calls that talk to a registry (pull, push, build, run) get {@code auth}'s credentials for it. */
    public ContainerEngine(Kind kind, String binary, ProcessRunner runner, RegistryAuth auth) {
        this.kind = kind;
        this.binary = binary;
        this.runner = runner;
        this.auth = auth;
    }

    /** This engine with {@code registryAuth} for its registry calls. */
    public ContainerEngine withAuth(RegistryAuth registryAuth) {
        return new ContainerEngine(kind, binary, runner, registryAuth);
    }

    /**
     * The engine named by {@code requested} ("docker", "podman" or a path to either), else the first of docker
     * and podman on the PATH. Nothing is run: a missing engine is reported when a stage first needs it.
     */
    public static ContainerEngine detect(String requested, String pathVariable, ProcessRunner runner) {
        if (requested != null && !requested.isBlank()) {
            String base = Path.of(requested).getFileName().toString().toLowerCase(Locale.ROOT);
            Kind kind = base.contains("podman") ? Kind.PODMAN : Kind.DOCKER;
            return new ContainerEngine(kind, requested, runner);
        }
        for (String candidate : List.of("docker", "podman")) {
            if (onPath(candidate, pathVariable)) {
                return new ContainerEngine(candidate.equals("podman") ? Kind.PODMAN : Kind.DOCKER, candidate, runner);
            }
        }
        return new ContainerEngine(Kind.DOCKER, "docker", runner);
    }

    private static boolean onPath(String program, String pathVariable) {
        if (pathVariable == null) {
            return false;
        }
        for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    public Kind kind() {
        return kind;
    }

    public String binary() {
        return binary;
    }

    /** Checks once that the engine is installed and its daemon or service answers; exit 3 otherwise. */
    public String ensureAvailable() {
        List<String> command = kind == Kind.DOCKER
                ? List.of(binary, "version", "--format", "{{.Server.Version}}")
                : List.of(binary, "version", "--format", "{{.Version}}");
        ProcessRunner.Result result = call(command, QUICK, line -> { });
        if (result.exitCode() != 0) {
            throw new PowerAiException.InfrastructureUnavailable("container engine '" + binary + "' does not answer: "
                    + result.lastLines(1) + " (start it with scripts/infra.sh up)");
        }
        checked = true;
        return result.lastLines(1);
    }

    private void requireChecked() {
        if (!checked) {
            ensureAvailable();
        }
    }

    /** Builds {@code contextDir} (holding a Dockerfile) into {@code tag}, on the host network (no bridge here). */
    public ProcessRunner.Result build(Path contextDir, String tag, Consumer<String> onLine) {
        return build(contextDir, tag, false, onLine);
    }

    /** As {@link #build(Path, String, Consumer)}; {@code noCache} rebuilds every layer (a reproducibility check). */
    public ProcessRunner.Result build(Path contextDir, String tag, boolean noCache, Consumer<String> onLine) {
        requireChecked();
        List<String> command = new ArrayList<>(List.of(binary, "build", "--network", "host", "-t", tag));
        if (noCache) {
            command.add("--no-cache");
        }
        if (kind == Kind.PODMAN) {
            command.addAll(List.of("--format", "docker"));
        }
        command.add(contextDir.toAbsolutePath().toString());
        return callWithAuth(command, LONG, onLine, Dockerfiles.baseRegistries(contextDir.resolve("Dockerfile")));
    }

    public ProcessRunner.Result push(String tag, Consumer<String> onLine) {
        requireChecked();
        List<String> command = kind == Kind.PODMAN
                ? List.of(binary, "push", "--format", "v2s2", tag)
                : List.of(binary, "push", tag);
        return callWithAuth(command, LONG, onLine, List.of(ImageReference.parse(tag).registry()));
    }

    /** Runs in the foreground and streams output; at the timeout the container is stopped (TERM, then KILL). */
    public ProcessRunner.Result run(RunSpec spec, Duration timeout, Consumer<String> onLine) {
        // No separate availability check here: it would add a process start to every training run. The
        // engine's own exit status tells an unreachable daemon apart instead.
        ProcessRunner.Result result;
        try (EnvFile env = EnvFile.of(spec.env())) {
            result = callWithAuth(runArguments(spec, env.path()), timeout, onLine, registryOf(spec.image()));
        }
        if (result.timedOut() && spec.name() != null) {
            call(List.of(binary, "stop", "-t", "10", spec.name()), QUICK, line -> { });
        }
        if (result.exitCode() == ENGINE_ERROR && daemonUnreachable(result.output())) {
            throw new PowerAiException.InfrastructureUnavailable("container engine '" + binary + "' does not answer: "
                    + result.lastLines(1) + " (start it with scripts/infra.sh up)");
        }
        return result;
    }

    /** The exit status docker and podman use for their own failures, as opposed to the container's. */
    public static final int ENGINE_ERROR = 125;

    /** The GPU request form that names devices ("device=0,1"), as docker's --gpus takes it. */
    public static final String DEVICES = "device=";

    /**
     * {@code docker info --format TEMPLATE} (or podman's): the answer's text, or empty with nothing said when the
     * engine is missing or refuses; the caller decides what that means.
     */
    public Optional<String> info(String template) {
        try {
            ProcessRunner.Result result = runner.run(List.of(binary, "info", "--format", template), null, QUICK, line -> { });
            return result.exitCode() == 0 ? Optional.of(result.output().strip()) : Optional.empty();
        } catch (ProcessRunner.NotStarted e) {
            return Optional.empty();
        }
    }

    /** The config of a local image ({@code image inspect --format '{{json .Config}}'}), or empty when the engine lacks it. */
    public Optional<String> imageConfig(String image) {
        try {
            ProcessRunner.Result result = runner.run(List.of(binary, "image", "inspect", "--format", "{{json .Config}}", image), null,
                    QUICK, line -> { });
            return result.exitCode() == 0 ? Optional.of(result.output().strip()) : Optional.empty();
        } catch (ProcessRunner.NotStarted e) {
            return Optional.empty();
        }
    }

    private static boolean daemonUnreachable(String output) {
        return output.contains("Cannot connect to the Docker daemon") || output.contains("Is the docker daemon running")
                || output.contains("unable to connect to Podman");
    }

    /**
     * Runs {@code script} with {@code sh -c} in a throw-away container of {@code image}, without network and
     * whatever the image's entrypoint: for looking inside an image (what is installed).
     */
    public ProcessRunner.Result runScript(String image, String script, Duration timeout, Consumer<String> onLine) {
        requireChecked();
        ProcessRunner.Result result = callWithAuth(List.of(binary, "run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c", script),
                timeout, onLine, registryOf(image));
        if (result.exitCode() == ENGINE_ERROR && daemonUnreachable(result.output())) {
            throw new PowerAiException.InfrastructureUnavailable("container engine '" + binary + "' does not answer: "
                    + result.lastLines(1) + " (start it with scripts/infra.sh up)");
        }
        return result;
    }

    /** Starts a detached container and returns its id. */
    public String start(RunSpec spec) {
        return startWith(spec, false);
    }

    /**
     * How a long-running service is kept up: the engine starts the container again whenever it exits, until it
     * is removed, as Kubernetes restarts a pod's container. docker 20.10 and podman 4.3 both take it.
     */
    public static final String SERVICE_RESTART_POLICY = "unless-stopped";

    /** Starts a detached service container that the engine restarts when it exits ({@link #SERVICE_RESTART_POLICY}). */
    public String startService(RunSpec spec) {
        return startWith(spec, true);
    }

    /** The engine's arguments for a service: {@link #runArguments} in the background, with the restart policy. */
    public List<String> serviceArguments(RunSpec spec, Path envFile) {
        List<String> args = runArguments(spec.inBackground(), envFile);
        args.addAll(args.indexOf("-d") + 1, List.of("--restart", SERVICE_RESTART_POLICY));
        return args;
    }

    private String startWith(RunSpec spec, boolean service) {
        requireChecked();
        ProcessRunner.Result result;
        try (EnvFile env = EnvFile.of(spec.env())) { // the engine has read it once the container is created
            List<String> arguments = service ? serviceArguments(spec, env.path()) : runArguments(spec.inBackground(), env.path());
            // A first start may pull the image: its time is the pull's, not a quick call's.
            result = callWithAuth(arguments, LONG, line -> { }, registryOf(spec.image()));
        }
        if (result.exitCode() != 0) {
            throw new PowerAiException.StageFailed("cannot start container from " + spec.image() + ": " + result.lastLines(3));
        }
        return result.lastLines(1).strip();
    }

    /** Runs {@code script} with {@code sh -c} in the running {@code container}, as the container's user. */
    public ProcessRunner.Result execScript(String container, String script, Duration timeout, Consumer<String> onLine) {
        requireChecked();
        return call(List.of(binary, "exec", container, "sh", "-c", script), timeout, onLine);
    }

    /**
     * The engine's arguments for {@code spec}: pure, so the rendering is tested without an engine (see
     * {@link RunArguments}); the variables travel in {@code envFile}, null when {@code spec} has none.
     */
    public List<String> runArguments(RunSpec spec, Path envFile) {
        return RunArguments.of(kind, binary, spec, envFile);
    }

    public void remove(String container) {
        List<String> command = kind == Kind.PODMAN
                ? List.of(binary, "rm", "-f", "-t", "0", container)
                : List.of(binary, "rm", "-f", container);
        call(command, QUICK, line -> { });
    }

    /** The image a container was started from, or empty when there is no such container. */
    public Optional<String> containerImage(String container) {
        ProcessRunner.Result result = call(List.of(binary, "inspect", "--format", "{{.Config.Image}}", container), QUICK, line -> { });
        return result.exitCode() == 0 ? Optional.of(result.lastLines(1).strip()) : Optional.empty();
    }

    /** The value of label {@code key} on a container; empty when there is no such container or label. */
    public Optional<String> containerLabel(String container, String key) {
        ProcessRunner.Result result = call(List.of(binary, "inspect", "--format", "{{index .Config.Labels \"" + key + "\"}}", container),
                QUICK, line -> { });
        String value = result.exitCode() == 0 ? result.lastLines(1).strip() : "";
        return value.isEmpty() || value.equals("<no value>") ? Optional.empty() : Optional.of(value);
    }

    /** The labels of a container; empty when there is no such container or it has none. */
    public Map<String, String> containerLabels(String container) {
        ProcessRunner.Result result = call(List.of(binary, "inspect", "--format", "{{json .Config.Labels}}", container), QUICK, line -> { });
        if (result.exitCode() != 0) {
            return Map.of();
        }
        try {
            Map<String, Object> labels = io.powerai.core.json.Json.parseObject(result.lastLines(1).strip());
            Map<String, String> out = new java.util.TreeMap<>();
            labels.forEach((k, v) -> out.put(k, String.valueOf(v)));
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            return Map.of(); // "null": a container without labels
        }
    }

    /** The size in bytes of a local image (all its layers, uncompressed), or empty when the engine lacks it. */
    public Optional<Long> imageSize(String image) {
        ProcessRunner.Result result = call(List.of(binary, "image", "inspect", "--format", "{{.Size}}", image), QUICK, line -> { });
        if (result.exitCode() != 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(result.lastLines(1).strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The names of the containers, running or not, that carry every one of {@code labels}; empty when the engine cannot tell. */
    public List<String> containersLabelled(Map<String, String> labels) {
        List<String> command = new ArrayList<>(List.of(binary, "ps", "-a", "--format", "{{.Names}}"));
        labels.forEach((k, v) -> command.addAll(List.of("--filter", "label=" + k + "=" + v)));
        ProcessRunner.Result result = call(command, QUICK, line -> { });
        return result.exitCode() != 0 ? List.of() : result.lines().stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public boolean isRunning(String container) {
        ProcessRunner.Result result = call(List.of(binary, "inspect", "--format", "{{.State.Running}}", container), QUICK, line -> { });
        return result.exitCode() == 0 && result.lastLines(1).strip().equals("true");
    }

    /**
     * Whether the container runs and has not exited since it was started: one that the engine restarted (a
     * service, {@link #startService}) is running again, but its first run ended.
     */
    public boolean runsSinceStart(String container) {
        ProcessRunner.Result result = call(List.of(binary, "inspect", "--format", "{{.State.Running}} {{.RestartCount}}", container),
                QUICK, line -> { });
        return result.exitCode() == 0 && result.lastLines(1).strip().equals("true 0");
    }

    public List<String> logs(String container) {
        return call(List.of(binary, "logs", container), QUICK, line -> { }).lines();
    }

    /**
     * A call that may talk to {@code registries}: it runs with a private auth file holding their credentials only,
     * removed when it ends (see {@link PrivateAuthConfig}).
     */
    private ProcessRunner.Result callWithAuth(List<String> command, Duration timeout, Consumer<String> onLine, List<String> registries) {
        try (PrivateAuthConfig config = PrivateAuthConfig.write(kind, auth.forRegistries(registries))) {
            return runner.run(command, null, timeout, onLine, config.environment());
        } catch (ProcessRunner.NotStarted e) {
            throw notInstalled(e);
        }
    }

    private static List<String> registryOf(String image) {
        try {
            return List.of(ImageReference.parse(image).registry());
        } catch (RuntimeException e) {
            return List.of(); // a local image id or a name the engine resolves itself: no registry to log in to
        }
    }

    private ProcessRunner.Result call(List<String> command, Duration timeout, Consumer<String> onLine) {
        try {
            return runner.run(command, null, timeout, onLine);
        } catch (ProcessRunner.NotStarted e) {
            throw notInstalled(e);
        }
    }

    private PowerAiException notInstalled(ProcessRunner.NotStarted e) {
        return new PowerAiException.InfrastructureUnavailable("container engine '" + binary
                + "' is not installed or not executable (" + e.getMessage()
                + "); install docker.io or podman (scripts/infra.sh up does), or name one with --engine / POWERAI_ENGINE");
    }
}
