package io.powerai.core.spec;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a face needs to know about a stage besides its spec, in one place: its names (step, CLI command,
 * section of powerai.yaml, result and spec files), what it leaves for the build (artifacts), the result keys and
 * files of its one summary line, the parameters only the Jenkins step takes, and the JVM flags its command starts
 * with. The CLI prints these ({@code powerai stages --json}), the plugin returns them from {@code poweraiCli()},
 * the Groovy helper and the docs' convention tests read them: nobody keeps a table of their own.
 *
 * <p>A record beside {@link Stage} rather than more enum fields: {@link Stage} is the key everything else is
 * indexed by (results, audit records, workspaces), this is what the faces show; keeping it apart keeps the enum
 * small and the value copyable into plain maps ({@link #toMap()}) for Jenkins.
 *
 * @param stage              the stage described
 * @param command            the {@code powerai} command that runs it
 * @param artifacts          what a run (successful or failed) leaves for the build to archive, as Ant patterns
 *                           relative to the workspace; the result and the spec come first; the attestations
 *                           (SBOM, provenance: attest/Attestor's files, named after the step) are among them
 * @param summaryKeys        the result's keys shown in the step's one summary line, in order
 * @param summaryFiles       the archived files the summary links to, by role (result, log, chart)
 * @param stepOnlyParameters what the Jenkins step takes and never writes to the spec (where the project is,
 *                           credential ids, how to run)
 * @param jvmFlags           the JVM flags the command starts with (see {@link #TIERED})
 * @param actions            what the step's {@code action} parameter may choose: the command itself, or a
 *                           subcommand of it ({@code powerai deploy promote}); empty where the step has no action
 */
public record StageDescriptor(Stage stage, String command, List<Artifact> artifacts, List<String> summaryKeys,
                              Map<String, String> summaryFiles, List<String> stepOnlyParameters, List<String> jvmFlags,
                              List<String> actions) {

    /** The version of {@link #toMap()}'s and {@link #all()}'s shape; a reader refuses another. */
    public static final int SCHEMA_VERSION = 1;

    /** The workspace folder every file below lives in (Workspace.DIR_NAME; spec may not depend on workspace). */
    public static final String DIR = ".powerai/";

    /** The audit log and its head: archived after every run of every step, whatever the outcome. */
    public static final List<String> AUDIT_LOG = List.of(DIR + "audit.jsonl", DIR + "audit.jsonl.head");

    /**
     * The serial collector starts a short-lived JVM fastest; the client compiler alone ({@code TieredStopAtLevel=1})
     * starts ~80 ms sooner still, but without the server compiler SHA-256 runs without its intrinsic, ~10x slower
     * (bench/launcher-flags.sh, docs/benchmarks.md): the commands that hash data, models and outputs keep tiered
     * compilation.
     */
    public static final List<String> TIERED = List.of("-XX:+UseSerialGC");
    /** The quick start, for commands that hash only their own small files; see {@link #TIERED}. */
    public static final List<String> CLIENT_ONLY = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Where the project is, which pipeline file, the registry's credentials: every step takes them, never the spec. */
    private static final List<String> EVERY_STEP = List.of("projectDir", "pipelineFile", "registryCredentialsId");
    /** The signing key's credential (a secret file holding a PEM key): for the stages that sign what they make. */
    private static final String SIGNING = "signingCredentialsId";

    /**
     * A file (or Ant pattern) a stage leaves. {@code when} is null for one every successful run writes; else it
     * says when the stage writes it (a test runs the real stages and checks the unconditional ones exist).
     */
    public record Artifact(String pattern, String when) {
        public Artifact {
            Objects.requireNonNull(pattern, "pattern");
        }

        static Artifact always(String pattern) {
            return new Artifact(pattern, null);
        }

        static Artifact when(String pattern, String when) {
            return new Artifact(pattern, when);
        }

        public boolean always() {
            return when == null;
        }
    }

    private static final Map<Stage, StageDescriptor> ALL = new EnumMap<>(Stage.class);

    static {
        add(Stage.SNAPSHOT, "snapshot", List.of(
                        Artifact.always("environment/context/**"),
                        Artifact.always("environment/manifest.json"),
                        Artifact.when("environment/*.lock", "when the snapshot pins pip or apt packages over the base"),
                        Artifact.when("environment/*.lock.yml", "with conda packages"),
                        Artifact.when("environment/gpu-stack.json", "for a CUDA base image"),
                        Artifact.always("attestations/amlEnvSnapshot.*")),
                List.of("image", "snapshotId"), Map.of(), List.of(SIGNING), CLIENT_ONLY);
        add(Stage.TRAIN, "train", List.of(
                        Artifact.always("train/train.log"),
                        Artifact.always("train/metrics.json"),
                        Artifact.when("train/metrics.svg", "when the script reported metrics"),
                        Artifact.when("train/gpu-samples.csv", "on a GPU"),
                        Artifact.always("train/outputs/**"),
                        Artifact.when("attestations/gpuTrain.*", "when the run succeeded with outputs")),
                List.of("metrics", "image"), Map.of("log", DIR + "train/train.log", "chart", DIR + "train/metrics.svg"),
                List.of(SIGNING, "kubeconfigCredentialsId", "kubernetesAgent", "kubernetesCloud"), TIERED);
        add(Stage.SCORING_IMAGE, "scoring-image", List.of(
                        Artifact.always("score/context/Dockerfile"),
                        Artifact.when("score/smoke-test.log", "when the parity gate fails"),
                        Artifact.when("score/parity-diff.txt", "when the parity gate fails"),
                        Artifact.always("attestations/scoringImage.*")),
                List.of("image", "modelSha256"), Map.of(), List.of(SIGNING), TIERED);
        add(Stage.DEPLOY, "deploy", List.of(
                        Artifact.when("deploy/**", "for the files a deploy keeps: a failed container's log, the manifests")),
                List.of("scoringUrl", "image"), Map.of(), List.of("azureCredentialsId", "kubeconfigCredentialsId", "action", "gateOnly"),
                CLIENT_ONLY, List.of("deploy", "promote", "rollback", "delete"));
    }

    private static void add(Stage stage, String command, List<Artifact> outputs, List<String> summaryKeys,
                            Map<String, String> files, List<String> ownParameters, List<String> jvmFlags) {
        add(stage, command, outputs, summaryKeys, files, ownParameters, jvmFlags, List.of());
    }

    private static void add(Stage stage, String command, List<Artifact> outputs, List<String> summaryKeys,
                            Map<String, String> files, List<String> ownParameters, List<String> jvmFlags, List<String> actions) {
        List<Artifact> artifacts = new ArrayList<>();
        artifacts.add(Artifact.always(resultFileOf(stage)));
        artifacts.add(Artifact.when(specFileOf(stage), "written by the step"));
        outputs.forEach(a -> artifacts.add(new Artifact(DIR + a.pattern(), a.when())));
        Map<String, String> summaryFiles = new LinkedHashMap<>();
        summaryFiles.put("result", resultFileOf(stage));
        for (String role : List.of("log", "chart")) {
            if (files.containsKey(role)) {
                summaryFiles.put(role, files.get(role));
            }
        }
        List<String> stepOnly = new ArrayList<>(EVERY_STEP);
        stepOnly.addAll(ownParameters);
        ALL.put(stage, new StageDescriptor(stage, command, List.copyOf(artifacts), List.copyOf(summaryKeys),
                java.util.Collections.unmodifiableMap(summaryFiles), List.copyOf(stepOnly), jvmFlags, actions));
    }

    private static String resultFileOf(Stage stage) {
        return DIR + stage.stepName() + ".json";
    }

    private static String specFileOf(Stage stage) {
        return DIR + "specs/" + stage.stepName() + ".json";
    }

    public static StageDescriptor of(Stage stage) {
        return ALL.get(stage);
    }

    /** The descriptor of the stage that pipeline step {@code step} runs; null for no such step. */
    public static StageDescriptor ofStep(String step) {
        for (StageDescriptor d : ALL.values()) {
            if (d.step().equals(step)) {
                return d;
            }
        }
        return null;
    }

    /** The descriptor of the stage that {@code powerai COMMAND} runs; null for a command that runs no stage. */
    public static StageDescriptor ofCommand(String command) {
        for (StageDescriptor d : ALL.values()) {
            if (d.command().equals(command)) {
                return d;
            }
        }
        return null;
    }

    public static List<StageDescriptor> values() {
        return List.copyOf(ALL.values());
    }

    /** The pipeline step's name (camelCase, as Jenkins steps are). */
    public String step() {
        return stage.stepName();
    }

    /** The section of powerai.yaml that configures the stage (also the name of its folder under .powerai). */
    public String section() {
        return stage.section();
    }

    /** The stage's result file, relative to the workspace. */
    public String resultFile() {
        return resultFileOf(stage);
    }

    /** The spec the step writes for the CLI, relative to the workspace. */
    public String specFile() {
        return specFileOf(stage);
    }

    /** The artifacts' patterns, in order. */
    public List<String> artifactPatterns() {
        return artifacts.stream().map(Artifact::pattern).toList();
    }

    /**
     * The descriptor as plain maps, lists and strings (what Jenkins can serialize and a JSON reader gives back):
     * the shape the CLI prints and the plugin returns.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("step", step());
        map.put("command", command);
        map.put("section", section());
        map.put("resultFile", resultFile());
        map.put("specFile", specFile());
        map.put("artifacts", new ArrayList<>(artifactPatterns()));
        map.put("summaryKeys", new ArrayList<>(summaryKeys));
        map.put("summaryFiles", new LinkedHashMap<>(summaryFiles));
        map.put("stepOnlyParameters", new ArrayList<>(stepOnlyParameters));
        map.put("jvmFlags", new ArrayList<>(jvmFlags));
        map.put("actions", new ArrayList<>(actions));
        return map;
    }

    /** Every stage's {@link #toMap()} by step name, with the audit log's files and the schema version. */
    public static Map<String, Object> all() {
        Map<String, Object> stages = new LinkedHashMap<>();
        ALL.values().forEach(d -> stages.put(d.step(), d.toMap()));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("schemaVersion", SCHEMA_VERSION);
        all.put("auditLog", new ArrayList<>(AUDIT_LOG));
        all.put("stages", stages);
        return all;
    }
}
