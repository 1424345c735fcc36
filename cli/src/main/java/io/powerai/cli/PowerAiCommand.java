package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.lifecycle.Cancellation;
import io.powerai.core.registry.AgentCredentials;
import io.powerai.core.registry.Credentials;
import io.powerai.core.registry.RegistryAuth;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.StepSpec;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import io.powerai.core.workspace.WorkspaceLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The top of the {@code powerai} command: global streams and environment, and the subcommands. */
@Command(name = "powerai", mixinStandardHelpOptions = true, versionProvider = PowerAiCommand.Version.class,
        description = "Reproducible, auditable ML stages: environment snapshot, training, scoring image, deployment.",
        subcommands = {
                StageCommands.Snapshot.class,
                StageCommands.Train.class,
                StageCommands.ScoringImageCommand.class,
                StageCommands.Deploy.class,
                StageCommands.Run.class,
                AuditCommand.class,
                VerifyCommand.class,
                ReportCommand.class,
                HistoryCommand.class,
                StepParametersCommand.class,
                StagesCommand.class,
                PodTemplateCommand.class,
                GpuCommand.class,
                DevCommand.class,
                CommandLine.HelpCommand.class
        },
        footer = {"", "Exit codes: 0 done, 1 the stage failed, 2 invalid input, 3 infrastructure unavailable (also: an I/O error,",
                "the workspace in use by another run), 143 / 130 stopped by SIGTERM / SIGINT (recorded as aborted).",
                "Environment: POWERAI_ENGINE (docker|podman|path), POWERAI_REGISTRY, POWERAI_INSECURE_REGISTRIES, POWERAI_NVIDIA_SMI,",
                "POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD (credentials for the pipeline's registry),",
                "POWERAI_SIGNING_KEY (PEM PKCS#8 key that signs the attestations)."})
public final class PowerAiCommand implements Runnable {
    final Console console;
    final PrintStream err;
    final Map<String, String> environment;
    final Cancellation cancellation;
    /** The command line as typed, written into the workspace lock so that a second run can say who holds it. */
    final String invocation;
    /** Whether stdout is a terminal, where a secret may be shown (a log file or a CI console is not). */
    boolean terminal;

    PowerAiCommand(PrintStream out, PrintStream err, Map<String, String> environment, Cancellation cancellation, List<String> args) {
        this.console = new Console(out);
        this.err = err;
        this.environment = environment;
        this.cancellation = cancellation;
        this.invocation = ("powerai " + String.join(" ", args)).strip();
    }

    static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> environment, Cancellation cancellation,
                                   List<String> typed) {
        PowerAiCommand top = new PowerAiCommand(out, err, environment, cancellation, typed);
        CommandLine cli = new CommandLine(top);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        Failures failures = new Failures(err, cancellation);
        cli.setExecutionExceptionHandler(failures);
        cli.setExitCodeExceptionMapper(failures);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandSpec where = e.getCommandLine().getCommandSpec();
            err.println("powerai: " + e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                // picocli's own guesses from the valid names, closest first
                err.println("Did you mean: " + String.join(" or ", unmatched.getSuggestions()) + "?");
            } else if (e instanceof CommandLine.UnmatchedArgumentException) {
                // a mistyped subcommand taken for DIR (deploy promot DIR): then DIR is what is left over
                Arrays.stream(args).map(a -> closeSubcommand(where, a)).flatMap(java.util.Optional::stream).findFirst()
                        .ifPresent(name -> err.println("Did you mean: " + where.qualifiedName() + " " + name + "?"));
            }
            if (!where.subcommands().isEmpty()) {
                err.println("Commands of '" + where.qualifiedName() + "': " + commandNames(where) + ".");
            }
            err.println("Run '" + where.qualifiedName() + " --help' for the valid options.");
            return 2;
        });
        return cli;
    }

    /** The subcommands of a command, as the user types them, in the order the help shows them. */
    static String commandNames(CommandSpec command) {
        return String.join(", ", command.subcommands().keySet());
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** 128 + the number of the signal that aborted the run (SIGTERM 143, SIGINT 130). */
    static int abortExitCode(Cancellation cancellation) {
        return "SIGINT".equals(cancellation.reason()) ? 130 : 143;
    }

    /** Options every stage command shares. */
    static final class Common {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Project directory holding powerai.yaml (default: .).")
        Path projectDir = Path.of(".");

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Pipeline file (default: DIR/powerai.yaml).")
        Path file;

        @Option(names = "--workspace", paramLabel = "DIR", description = "Where .powerai/ (results, audit log) lives (default: DIR).")
        Path workspace;

        @Option(names = "--engine", paramLabel = "ENGINE", description = "docker, podman or a path to either (default: POWERAI_ENGINE, else the first on PATH).")
        String engine;

        @Option(names = "--registry", paramLabel = "HOST[:PORT]", description = "Registry for the images, overriding powerai.yaml (default: POWERAI_REGISTRY).")
        String registry;

        @Option(names = "--spec", paramLabel = "FILE", description = "The step's parameters as a JSON or YAML map "
                + "(what the pipeline steps write), in camelCase (the snake_case keys of powerai.yaml are deprecated here): "
                + "they override single keys of the stage's section of the pipeline file (--file, else DIR/powerai.yaml "
                + "when there is one); paths are relative to DIR.")
        Path stepSpec;

        @Option(names = "--wait-lock", description = "When another run uses the workspace, wait until it ends "
                + "(default: fail at once with exit 3, naming that run).")
        boolean waitLock;

        @Option(names = "--defaults", paramLabel = "FILE", description = "With --spec: defaults under the pipeline file "
                + "(the Jenkins plugin's global configuration), a JSON or YAML map in the step's parameter names; keys "
                + "that are not the step's are ignored.")
        Path defaults;

        /** Set by {@link #context} when a step spec names an image. */
        String specImage;

        /** The command this mixin belongs to: its subcommands are what a mistyped one may have meant. */
        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        StageContext context(PowerAiCommand top, Stage stage) {
            Path dir = projectDir.toAbsolutePath().normalize();
            rejectMistypedSubcommand(command, projectDir, dir);
            String registryOverride = registry != null ? registry : top.environment.get("POWERAI_REGISTRY");
            PipelineSpec spec;
            if (stepSpec != null && stage == null) {
                throw new io.powerai.core.PowerAiException.InvalidInput("run: --spec describes one step; 'run' reads DIR/powerai.yaml"
                        + " (use snapshot, train, scoring-image or deploy with --spec)");
            }
            if (stepSpec != null) {
                Path pipelineFile = file != null ? file.toAbsolutePath().normalize() : dir.resolve(PipelineSpec.FILE_NAME);
                PipelineSpec.StepCall call = PipelineSpec.readStepCall(stage, stepSpec.toAbsolutePath().normalize(),
                        file != null || Files.isRegularFile(pipelineFile) ? pipelineFile : null,
                        defaults != null ? defaults.toAbsolutePath().normalize() : null, dir, registryOverride);
                // On stderr: stdout may be a document (pod-template, --dry-run); the pipeline steps show stderr in the
                // build log, where the author reads that a parameter has a new name.
                call.deprecations().forEach(line -> top.err.println("[" + stage.stepName() + "] WARNING: " + line));
                StepSpec step = call.spec();
                spec = step.pipeline();
                specImage = step.image();
            } else {
                Path specFile = file != null ? file.toAbsolutePath().normalize() : dir.resolve(PipelineSpec.FILE_NAME);
                spec = PipelineSpec.read(specFile, registryOverride);
            }
            Clock clock = Clock.systemUTC();
            Workspace ws = new Workspace(workspace != null ? workspace : spec.projectDir(), clock);
            String engineName = engine != null ? engine : top.environment.get("POWERAI_ENGINE");
            ProcessRunner runner = new ProcessRunner(engineEnvironment(top.environment), top.cancellation);
            RegistryAuth auth = registryAuth(top.environment, spec.registry(), runner);
            ContainerEngine containerEngine = ContainerEngine.detect(engineName, top.environment.get("PATH"), runner).withAuth(auth);
            return new StageContext(spec, ws, containerEngine, registryClient(top.environment, auth), top.console, clock,
                    io.powerai.core.gpu.GpuTools.fromEnvironment(top.environment), top.cancellation,
                    Attestation.attestor(top.environment));
        }

        /**
         * Takes the workspace for this run (one run at a time; see {@link WorkspaceLock}), then finishes what a killed
         * run left there. Close it when the command ends; the kernel releases it if the process dies first.
         */
        WorkspaceLock lock(PowerAiCommand top, StageContext ctx, Stage stage) {
            String name = stage == null ? "run" : stage.stepName();
            WorkspaceLock lock = WorkspaceLock.acquire(ctx.workspace().dir(), name, top.invocation, ctx.clock(), waitLock,
                    message -> ctx.events().forStage(name).progress(message));
            try {
                InFlight.settleLeftovers(ctx, io.powerai.core.stage.deploy.LocalDeployment::undo);
            } catch (RuntimeException e) {
                lock.close();
                throw e;
            }
            return lock;
        }
    }

    /**
     * DIR shares its place with the subcommands ({@code deploy promote}, {@code snapshot diff}): a mistyped subcommand
     * arrives as a directory. When no such directory exists and the word is close to a subcommand, say so instead of
     * "no pipeline file".
     */
    static void rejectMistypedSubcommand(CommandSpec command, Path typed, Path dir) {
        if (command == null || typed.getNameCount() != 1 || java.nio.file.Files.exists(dir)) {
            return;
        }
        String word = typed.toString();
        closeSubcommand(command, word).ifPresent(name -> {
            throw new io.powerai.core.PowerAiException.InvalidInput("powerai: no directory '" + word + "'. Did you mean: "
                    + command.qualifiedName() + " " + name + "? (commands of '" + command.qualifiedName() + "': "
                    + commandNames(command) + ")");
        });
    }

    /** The subcommand of {@code command} that {@code word} is a typo of (at most two letters off), if any. */
    static java.util.Optional<String> closeSubcommand(CommandSpec command, String word) {
        if (word.length() < 3 || word.startsWith("-") || command.subcommands().containsKey(word)) {
            return java.util.Optional.empty();
        }
        return command.subcommands().keySet().stream()
                .filter(name -> !name.equals("help") && editDistance(word, name) <= 2)
                .findFirst();
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The variables that configure the engines (podman's CONTAINERS_*, docker's DOCKER_*), passed on to them. */
    static Map<String, String> engineEnvironment(Map<String, String> environment) {
        Map<String, String> out = new HashMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith("CONTAINERS_") || k.startsWith("DOCKER_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    static RegistryClient registryClient(Map<String, String> environment, RegistryAuth auth) {
        Set<String> insecure = new HashSet<>();
        String list = environment.getOrDefault("POWERAI_INSECURE_REGISTRIES", "");
        Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(insecure::add);
        return new RegistryClient(insecure, auth);
    }

    /**
     * The run's registry credentials: POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD (registryCredentialsId)
     * for the pipeline's registry, over what the agent's docker and podman already hold for any registry. Read
     * here, at the edge, and handed down as one typed value to the engine and the registry client alike.
     */
    static RegistryAuth registryAuth(Map<String, String> environment, String registry, ProcessRunner runner) {
        Credentials credentials = EnvironmentVariables.registryCredentials(environment);
        Map<String, Credentials> given = new HashMap<>();
        if (credentials != null && registry != null) {
            given.put(registry.contains("/") ? registry.substring(0, registry.indexOf('/')) : registry, credentials);
        }
        return new RegistryAuth(given, AgentCredentials.fromEnvironment(environment, runner));
    }

    /** The build and the credentials the stages take, read from this command's environment (once per call). */
    io.powerai.core.stage.RunEnvironment runEnvironment() {
        return EnvironmentVariables.runEnvironment(environment);
    }

    /** The project version and the commit the command was built from, as the build recorded them (cli/pom.xml). */
    static final class Version implements CommandLine.IVersionProvider {
        static final String RESOURCE = "version.properties";

        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties built = new java.util.Properties();
            try (java.io.InputStream in = PowerAiCommand.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    built.load(in);
                }
            }
            return lines(built);
        }

        static String[] lines(java.util.Properties built) {
            String commit = built.getProperty("commit", "unknown");
            String described = commit.endsWith("+modified")
                    ? commit.substring(0, commit.length() - "+modified".length()) + " (with uncommitted changes)"
                    : commit.equals("unknown") ? "unknown (built without git history)" : commit;
            return new String[] {"powerai " + built.getProperty("version", "unknown"), "commit " + described};
        }
    }
}
