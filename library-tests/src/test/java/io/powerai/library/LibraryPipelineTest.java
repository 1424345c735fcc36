package io.powerai.library;

import com.lesfurets.jenkins.unit.BasePipelineTest;
import com.lesfurets.jenkins.unit.MethodCall;
import com.lesfurets.jenkins.unit.PipelineTestHelper;
import com.lesfurets.jenkins.unit.cps.PipelineTestHelperCPS;
import com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration;
import org.junit.Before;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.SortedSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertFalse;

/**
 * Runs pipelines against the shared library as Jenkins loads it (vars/, src/ from the repository root, through
 * {@code @Library('powerai')}), in JenkinsPipelineUnit's CPS mode, which checks at every step that the program's
 * state can be serialized, as Jenkins needs it to survive a restart.
 *
 * <p>Steps are mocked where JenkinsPipelineUnit has nothing real: files are read and written in a real temporary
 * workspace, {@code withEnv} and {@code withCredentials} build the environment that {@code sh} gets, and {@code sh}
 * runs its script with the real {@code /bin/sh} in the workspace, where {@code $POWERAI_CLI} is a shell script that
 * records its arguments and answers what {@link FakeCli} (which parses the spec with core's real parser) decided.
 *
 * <p>The library and the pipelines are compiled once per JVM (a shared helper per mode) and each test re-registers
 * its mocks: compiling them for every test would take most of the module's time.
 */
public abstract class LibraryPipelineTest extends BasePipelineTest {

    static final Path LIBRARY_ROOT = Path.of(System.getProperty("powerai.library.root", "..")).toAbsolutePath().normalize();
    static final List<String> STEPS = List.of("amlEnvSnapshot", "gpuTrain", "scoringImage", "aksDeploy");

    /** Fake credentials by id: variable role -> value. Every value is distinct, so a leak is found by search. */
    static final Map<String, Map<String, String>> CREDENTIALS = Map.of(
            "registry-push", Map.of("username", "regUser-b71c", "password", "regPassw0rd-93fe1d"),
            "default-registry-push", Map.of("username", "defUser-55aa", "password", "defPassw0rd-0c4e77"),
            "azure-sp", Map.of("subscriptionId", "subId-1f2e3d4c", "clientId", "clientId-8a7b6c",
                    "clientSecret", "azClientSecret-d00d42", "tenantId", "tenantId-77e1"),
            "aks-kubeconfig", Map.of("content", "kubeconfigToken-6b2f9e"),
            "signing-key", Map.of("content", "-----BEGIN PRIVATE KEY-----\nsigningKey-3c9a71\n-----END PRIVATE KEY-----\n"));

    private static final Map<Boolean, PipelineTestHelper> SHARED_HELPERS = new java.util.HashMap<>();

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** The agent's workspace: the current directory of every step. */
    protected Path workspace;
    protected final FakeCli cli = new FakeCli();
    /** Whether the mocked poweraiRecordLineage finds the audit log's hash chain intact. */
    protected boolean lineageVerifies = true;
    /** What poweraiCli() returns; null: the plugin is not installed. */
    protected Map<String, Object> plugin;
    protected final Map<String, Object> env = new LinkedHashMap<>();
    protected final Map<String, Object> params = new LinkedHashMap<>();

    protected final List<ShCall> shCalls = new ArrayList<>();
    protected final List<ArchiveCall> archives = new ArrayList<>();
    protected final List<String> echoes = new ArrayList<>();
    protected final List<String> errors = new ArrayList<>();
    /** For each error() and echo, whether it ran inside withCredentials, where Jenkins masks the bound values. */
    protected final List<Boolean> errorsMasked = new ArrayList<>();
    protected final List<Boolean> echoesMasked = new ArrayList<>();
    private int maskingDepth;
    protected final List<Map<String, Object>> boundCredentials = new ArrayList<>();
    protected final List<String> nodeLabels = new ArrayList<>();
    protected final List<String> stages = new ArrayList<>();
    protected final List<String> stashes = new ArrayList<>();
    protected final List<String> unstashes = new ArrayList<>();
    protected final List<Map<String, Object>> podTemplates = new ArrayList<>();
    /** Scripts that sh ran inside container(NAME), as "NAME: script". */
    protected final List<String> containerScripts = new ArrayList<>();
    /** The arguments of every poweraiSummary call (the plugin's step: the build page's line per stage). */
    protected final List<Map<String, Object>> summaries = new ArrayList<>();
    private String currentContainer;
    private final Deque<Map<String, String>> environment = new ArrayDeque<>();
    private Path fakeDir;
    /** The fake CLI script: {@code /bin/sh <it>} is a command prefix for POWERAI_CLI. */
    protected Path fakeCli;

    /**
     * A call of sh: its script, its environment, the CLI's arguments, the exit status, the jar java ran (or null),
     * and what it printed on stdout (the build log).
     */
    record ShCall(String script, Map<String, String> environment, List<String> argv, int status, String jar, String stdout) {
    }

    /** A call of archiveArtifacts, with the files its patterns matched at that moment. */
    record ArchiveCall(String artifacts, Object fingerprint, Object allowEmptyArchive, SortedSet<String> files) {
    }

    /** What the mocked error() throws, as Jenkins' does: the build stops with the message. */
    static final class PipelineError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PipelineError(String message) {
            super(message);
        }
    }

    @Before
    @Override
    public void setUp() throws Exception {
        workspace = temp.newFolder("workspace").toPath();
        copyTree(LIBRARY_ROOT.resolve("examples/svm-moons"), workspace.resolve("examples/svm-moons"));
        fakeDir = temp.newFolder("fake-cli").toPath();
        fakeCli = fakeDir.resolve("powerai");
        Files.writeString(fakeCli, """
                # Stands in for the powerai CLI: records its arguments, answers what the test decided.
                printf '%s\\n' "$@" > "$FAKE_DIR/argv"
                cat "$FAKE_DIR/stdout"
                cat "$FAKE_DIR/stderr" >&2
                exit "$(cat "$FAKE_DIR/status")"
                """);
        // The plugin's java and jar, in folders with spaces as agents' tools folders may be.
        Path java = Files.createDirectories(fakeDir.resolve("jdk 17/bin")).resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                # Stands in for java: skips -XX: flags (StepsTest checks them in the script), takes -jar JAR, then runs
                # the fake CLI with the rest.
                while [ "${1#-XX:}" != "$1" ]; do shift; done
                [ "$1" = "-jar" ] || exit 90
                printf '%s' "$2" > "$FAKE_DIR/jar"
                shift 2
                exec /bin/sh "$FAKE_DIR/powerai" "$@"
                """);
        java.toFile().setExecutable(true);
        Path jar = Files.createDirectories(fakeDir.resolve("tools/powerai/0.1.0 snapshot")).resolve("powerai-cli.jar");
        Files.writeString(jar, "not a jar");
        plugin = new LinkedHashMap<>(Map.of("command", "'" + java + "' -jar '" + jar + "'", "java", java.toString(),
                "jar", jar.toString(), "version", "0.1.0-SNAPSHOT", "sha256", "c".repeat(64),
                "defaults", new LinkedHashMap<>(Map.of("registry", "", "registryCredentialsId", "", "azureCredentialsId", "",
                        "kubeconfigCredentialsId", "", "signingCredentialsId", "", "engine", "", "baseImage", "")),
                // what the plugin hands over: core's own descriptors (CliStepResult)
                "descriptors", io.powerai.core.spec.StageDescriptor.all()));

        PipelineTestHelper shared = SHARED_HELPERS.get(cps());
        if (shared == null) {
            setHelper(cps() ? new PipelineTestHelperCPS() : new PipelineTestHelper());
            setScriptRoots(new String[] {LIBRARY_ROOT.toString(), pipelinesDir().toString(),
                    Files.createDirectories(generatedPipelinesDir()).toString()});
            setBaseScriptRoot(LIBRARY_ROOT.toString());
            super.setUp();
            LibraryConfiguration library = new LibraryConfiguration();
            library.setName("powerai");
            library.setDefaultVersion("main");
            library.setImplicit(false);
            library.setAllowOverride(true);
            library.setTargetPath(LIBRARY_ROOT.toString());
            library.setRetriever(new ProjectRootRetriever(LIBRARY_ROOT));
            getHelper().registerSharedLibrary(library.validate());
            SHARED_HELPERS.put(cps(), getHelper());
        } else {
            setHelper(shared);
            shared.clearCallStack();
            getBinding().setVariable("currentBuild", new LinkedHashMap<>(Map.of("result", "SUCCESS")));
        }

        // RunWrapper.getBuildCauses(className): the causes of that class; a test sets timerCauses for a scheduled build.
        @SuppressWarnings("unchecked")
        Map<String, Object> currentBuild = (Map<String, Object>) getBinding().getVariable("currentBuild");
        currentBuild.put("getBuildCauses", Closures.of1(className -> List.copyOf(timerCauses)));
        getBinding().setVariable("env", env);
        getBinding().setVariable("params", params);
        getBinding().setVariable("scm", new LinkedHashMap<>(Map.of("$class", "GitSCM")));
        registerSteps();
    }

    /**
     * Whether pipelines run CPS-transformed, as Jenkins runs them, with JenkinsPipelineUnit checking at every
     * step that the program's state serializes (what a controller restart needs).
     */
    protected boolean cps() {
        return false;
    }

    private void registerSteps() {
        allow("error", List.of(String.class), Closures.of1(message -> {
            errors.add(String.valueOf(message));
            errorsMasked.add(maskingDepth > 0);
            throw new PipelineError(String.valueOf(message));
        }));
        allow("echo", List.of(String.class), Closures.of1(message -> {
            echoesMasked.add(maskingDepth > 0);
            return echoes.add(String.valueOf(message));
        }));
        allow("writeFile", List.of(Map.class), Closures.of1(a -> {
            Map<?, ?> args = (Map<?, ?>) a;
            Path file = inWorkspace(args.get("file"));
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, String.valueOf(args.get("text")), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        }));
        allow("readFile", List.of(Map.class), Closures.of1(a -> read(inWorkspace(((Map<?, ?>) a).get("file")))));
        allow("readFile", List.of(String.class), Closures.of1(a -> read(inWorkspace(a))));
        allow("fileExists", List.of(String.class), Closures.of1(a -> Files.exists(inWorkspace(a))));
        allow("archiveArtifacts", List.of(Map.class), Closures.of1(a -> {
            Map<?, ?> args = (Map<?, ?>) a;
            String artifacts = String.valueOf(args.get("artifacts"));
            archives.add(new ArchiveCall(artifacts, args.get("fingerprint"), args.get("allowEmptyArchive"), matching(artifacts)));
            return null;
        }));
        allow("withEnv", List.of(List.class, groovy.lang.Closure.class), Closures.of2((list, body) -> {
            Map<String, String> frame = new LinkedHashMap<>();
            for (Object entry : (List<?>) list) {
                String text = String.valueOf(entry);
                int eq = text.indexOf('=');
                frame.put(text.substring(0, eq), text.substring(eq + 1));
            }
            return withFrame(frame, (groovy.lang.Closure<?>) body);
        }));
        for (String kind : List.of("usernamePassword", "azureServicePrincipal", "file")) {
            allow(kind, List.of(Map.class), Closures.of1(a -> {
                Map<String, Object> binding = new LinkedHashMap<>();
                binding.put("$binding", kind);
                ((Map<?, ?>) a).forEach((k, v) -> binding.put(String.valueOf(k), v));
                return binding;
            }));
        }
        allow("withCredentials", List.of(List.class, groovy.lang.Closure.class), Closures.of2((list, body) -> {
            Map<String, String> frame = new LinkedHashMap<>();
            for (Object item : (List<?>) list) {
                @SuppressWarnings("unchecked")
                Map<String, Object> binding = (Map<String, Object>) item;
                boundCredentials.add(binding);
                frame.putAll(secretVariables(binding));
            }
            maskingDepth++;
            try {
                return withFrame(frame, (groovy.lang.Closure<?>) body);
            } finally {
                maskingDepth--;
            }
        }));
        allow("sh", List.of(Map.class), Closures.of1(a -> sh((Map<?, ?>) a)));
        // What a scripted Jenkinsfile uses besides the library: agents, stages, job properties, stash.
        allow("node", List.of(String.class, groovy.lang.Closure.class), Closures.of2((label, body) -> {
            nodeLabels.add(String.valueOf(label));
            return getHelper().callClosure((groovy.lang.Closure<?>) body);
        }));
        allow("stage", List.of(String.class, groovy.lang.Closure.class), Closures.of2((name, body) -> {
            stages.add(String.valueOf(name));
            return getHelper().callClosure((groovy.lang.Closure<?>) body);
        }));
        allow("parameters", List.of(List.class), null);
        allow("choice", List.of(Map.class), null);
        allow("cron", List.of(String.class), null);
        allow("stash", List.of(Map.class), Closures.of1(a -> {
            String name = String.valueOf(((Map<?, ?>) a).get("name"));
            checkGoodName(name);
            stashes.add(name + " " + ((Map<?, ?>) a).get("includes"));
            return null;
        }));
        allow("unstash", List.of(String.class), Closures.of1(name -> {
            checkGoodName(String.valueOf(name));
            unstashes.add(String.valueOf(name));
            return null;
        }));
        // The kubernetes plugin: the pod's label is in the body's environment; container() switches where sh runs.
        allow("podTemplate", List.of(Map.class, groovy.lang.Closure.class), Closures.of2((a, body) -> {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<?, ?>) a).forEach((k, v) -> copy.put(String.valueOf(k), v));
            podTemplates.add(copy);
            env.put("POD_LABEL", "powerai-pod-1");
            try {
                return getHelper().callClosure((groovy.lang.Closure<?>) body);
            } finally {
                env.remove("POD_LABEL");
            }
        }));
        allow("container", List.of(String.class, groovy.lang.Closure.class), Closures.of2((name, body) -> {
            String outer = currentContainer;
            currentContainer = String.valueOf(name);
            try {
                return getHelper().callClosure((groovy.lang.Closure<?>) body);
            } finally {
                currentContainer = outer;
            }
        }));
        allow("deleteDir", List.of(), null);
        allow("input", List.of(Map.class), Closures.of1(a -> {
            inputs.add(String.valueOf(((Map<?, ?>) a).get("message")));
            return null;
        }));
        allow("poweraiRecordLineage", List.of(Map.class), Closures.of1(a -> {
            // The plugin's step needs the audit log (and would fail without it): what the build shows on its page.
            String log = String.valueOf(((Map<?, ?>) a).get("auditLog"));
            if (!Files.isRegularFile(inWorkspace(log))) {
                throw new PipelineError("poweraiRecordLineage: no audit log at " + log);
            }
            if (!lineageVerifies) {
                // The plugin's step fails the build after recording when the chain does not verify.
                throw new PipelineError("poweraiRecordLineage: the hash chain of " + log + " does not verify (record 2 was changed)");
            }
            return new LinkedHashMap<>(Map.of("verified", true));
        }));
        allow("poweraiSummary", List.of(Map.class), Closures.of1(a -> {
            if (plugin == null) {
                throw new NoSuchMethodError("No such DSL method 'poweraiSummary' found among steps [archiveArtifacts, echo, sh]");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> arguments = new LinkedHashMap<>((Map<String, Object>) a);
            return summaries.add(arguments);
        }));
        allow("poweraiCli", List.of(), Closures.of0(() -> {
            if (plugin == null) {
                // What Jenkins says when no plugin provides the step.
                throw new NoSuchMethodError("No such DSL method 'poweraiCli' found among steps [archiveArtifacts, echo, sh]");
            }
            return plugin;
        }));
    }

    /**
     * What workflow-api's StashManager asks of a stash's name (Jenkins.checkGoodName, core 2.579): not empty, not
     * '.' or '..', no control character, none of ?*&#47;\%!@#$^&|<>[]:; and no trailing dot.
     */
    static void checkGoodName(String name) {
        if (name.isEmpty() || name.strip().equals(".") || name.strip().equals("..") || name.strip().endsWith(".")) {
            throw new PipelineError("'" + name + "' is not an allowed name");
        }
        for (char c : name.toCharArray()) {
            if (Character.isISOControl(c) || "?*/\\%!@#$^&|<>[]:;".indexOf(c) >= 0) {
                throw new PipelineError("'" + c + "' is an unsafe character (stash name " + name + ")");
            }
        }
    }

    private void allow(String name, List<Class<?>> types, groovy.lang.Closure<Object> body) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Class> raw = (List) types;
        getHelper().registerAllowedMethod(name, raw, body);
    }

    private Object withFrame(Map<String, String> frame, groovy.lang.Closure<?> body) {
        environment.push(frame);
        try {
            return getHelper().callClosure(body);
        } finally {
            environment.pop();
        }
    }

    /** The environment a credential binding adds, as the credentials plugins would set it. */
    private Map<String, String> secretVariables(Map<String, Object> binding) {
        String id = String.valueOf(binding.get("credentialsId"));
        Map<String, String> secret = CREDENTIALS.get(id);
        if (secret == null) {
            throw new IllegalStateException("Could not find credentials entry with ID '" + id + "'");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        switch (String.valueOf(binding.get("$binding"))) {
            case "usernamePassword" -> {
                vars.put(String.valueOf(binding.get("usernameVariable")), secret.get("username"));
                vars.put(String.valueOf(binding.get("passwordVariable")), secret.get("password"));
            }
            case "azureServicePrincipal" -> {
                vars.put(String.valueOf(binding.get("subscriptionIdVariable")), secret.get("subscriptionId"));
                vars.put(String.valueOf(binding.get("clientIdVariable")), secret.get("clientId"));
                vars.put(String.valueOf(binding.get("clientSecretVariable")), secret.get("clientSecret"));
                vars.put(String.valueOf(binding.get("tenantIdVariable")), secret.get("tenantId"));
            }
            case "file" -> {
                try {
                    Path file = temp.newFile().toPath(); // outside the workspace, as Jenkins puts it
                    Files.writeString(file, secret.get("content"));
                    vars.put(String.valueOf(binding.get("variable")), file.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalStateException("unknown binding " + binding);
        }
        return vars;
    }

    private static final Pattern CLI_COMMAND = Pattern.compile("^(?:\\$POWERAI_CLI|\"\\$POWERAI_JAVA\"(?: -XX:\\S+)* -jar \"\\$POWERAI_JAR\") (\\S+) ");

    /** Runs the script with the real shell; $POWERAI_CLI records its argv and answers what FakeCli decided. */
    private Object sh(Map<?, ?> args) {
        String script = String.valueOf(args.get("script"));
        Map<String, String> env = currentEnvironment();
        Matcher m = CLI_COMMAND.matcher(script);
        FakeCli.Outcome outcome = m.find() ? cli.run(m.group(1), workspace, env, script) : new FakeCli.Outcome(0, "");
        if (currentContainer != null) {
            containerScripts.add(currentContainer + ": " + script);
        }
        try {
            Files.writeString(fakeDir.resolve("stderr"), outcome.stderr());
            Files.writeString(fakeDir.resolve("stdout"), outcome.stdout());
            Files.writeString(fakeDir.resolve("status"), String.valueOf(outcome.status()));
            Files.deleteIfExists(fakeDir.resolve("argv"));
            Files.deleteIfExists(fakeDir.resolve("jar"));
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-e", "-c", script).directory(workspace.toFile());
            pb.environment().putAll(env);
            pb.environment().put("FAKE_DIR", fakeDir.toString());
            File stdout = fakeDir.resolve("shell-stdout").toFile();
            pb.redirectOutput(stdout);
            File shellErrors = fakeDir.resolve("shell-stderr").toFile();
            pb.redirectError(shellErrors);
            int status = pb.start().waitFor();
            List<String> argv = Files.exists(fakeDir.resolve("argv")) ? Files.readAllLines(fakeDir.resolve("argv")) : List.of();
            String jarRun = Files.exists(fakeDir.resolve("jar")) ? Files.readString(fakeDir.resolve("jar")) : null;
            shCalls.add(new ShCall(script, env, argv, status, jarRun, Files.readString(stdout.toPath())));
            if (Boolean.TRUE.equals(args.get("returnStatus"))) {
                return status;
            }
            if (status != 0) {
                throw new PipelineError("script returned exit code " + status);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> currentEnvironment() {
        Map<String, String> merged = new LinkedHashMap<>();
        Iterator<Map<String, String>> outerFirst = environment.descendingIterator();
        while (outerFirst.hasNext()) {
            merged.putAll(outerFirst.next());
        }
        return merged;
    }

    private Path inWorkspace(Object relative) {
        return workspace.resolve(String.valueOf(relative)).normalize();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files of the workspace that archiveArtifacts' comma-separated Ant patterns match. */
    SortedSet<String> matching(String artifacts) {
        List<PathMatcher> matchers = Stream.of(artifacts.split(","))
                .map(String::strip).filter(s -> !s.isEmpty())
                .map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p))
                .collect(Collectors.toList());
        SortedSet<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(workspace)) {
            walk.filter(Files::isRegularFile).map(workspace::relativize)
                    .filter(rel -> matchers.stream().anyMatch(pm -> pm.matches(rel)))
                    .forEach(rel -> files.add(rel.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The CLI commands the build ran, in order. */
    /** The messages of the input steps a pipeline asked (approved at once). */
    final List<String> inputs = new ArrayList<>();

    /** The causes getBuildCauses answers (a timer's, for a scheduled build); none by default. */
    final List<Map<String, Object>> timerCauses = new ArrayList<>();

    List<String> cliCommands() {
        List<String> commands = new ArrayList<>();
        shCalls.forEach(c -> commands.add(c.argv().isEmpty() ? "?" : c.argv().get(0)));
        return commands;
    }

    /** Calls one step through a pipeline that loads the library with @Library, as a Jenkinsfile does. */
    Object runStep(String step, Map<String, Object> args) throws Exception {
        getBinding().setVariable("stepName", step);
        getBinding().setVariable("stepArgs", args);
        return runScript("callStep.jenkins");
    }

    /** Like {@link #runStep}, for a call that must end the build: returns the error, fails if there was none. */
    PipelineError runFailingStep(String step, Map<String, Object> args) throws Exception {
        try {
            runStep(step, args);
        } catch (PipelineError e) {
            return e;
        }
        throw new AssertionError(step + " did not raise error()");
    }

    /** Everything the build shows or keeps: every recorded call with its arguments, echoes, errors, spec files. */
    String everythingRecorded() throws IOException {
        StringBuilder all = new StringBuilder();
        for (MethodCall call : getHelper().getCallStack()) {
            all.append(call).append('\n');
        }
        echoes.forEach(e -> all.append(e).append('\n'));
        errors.forEach(e -> all.append(e).append('\n'));
        shCalls.forEach(c -> all.append(c.script()).append(' ').append(c.argv()).append('\n'));
        Path specs = workspace.resolve(".powerai/specs");
        if (Files.isDirectory(specs)) {
            try (Stream<Path> files = Files.list(specs)) {
                for (Path f : files.collect(Collectors.toList())) {
                    all.append(Files.readString(f)).append('\n');
                }
            }
        }
        return all.toString();
    }

    static void assertNoSecretIn(String what, String text) {
        for (Map<String, String> credential : CREDENTIALS.values()) {
            for (String secret : credential.values()) {
                assertFalse(what + " shows the secret '" + secret + "'", text.contains(secret));
            }
        }
    }

    static Path pipelinesDir() {
        try {
            return Path.of(LibraryPipelineTest.class.getResource("/pipelines/callStep.jenkins").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where tests put pipelines they take from elsewhere (the README's), to run them by name. */
    static Path generatedPipelinesDir() {
        return pipelinesDir().resolveSibling("generated-pipelines");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
