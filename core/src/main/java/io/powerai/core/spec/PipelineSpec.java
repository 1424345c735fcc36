package io.powerai.core.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import io.powerai.core.PowerAiException;
import io.powerai.core.json.YamlFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A whole {@code powerai.yaml}: the project's name, its registry, and one section per stage. Parsing reports
 * every problem of every section at once. Sections are optional here; a stage that needs its section asks
 * with {@link #require(Stage)}.
 */
public record PipelineSpec(
        Path projectDir,
        String name,
        String registry,
        EnvironmentSpec environment,
        TrainSpec train,
        ScoreSpec score,
        DeploySpec deploy) {

    public static final String FILE_NAME = "powerai.yaml";
    public static final String DEFAULT_REGISTRY = "127.0.0.1:5000";
    public static final Set<String> KEYS = Set.of("name", "registry", "environment", "train", "score", "deploy");

    // A name becomes part of image repositories and container names: the strictest of both rules.
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    /** host (DNS labels, never starting with '-': it would read as an option) [:port] [/namespace...]. */
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
            + "(?::(?<port>[0-9]{1,5}))?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Reads {@code file}; {@code registryOverride} (from the command line or environment) wins over the file. */
    public static PipelineSpec read(Path file, String registryOverride) {
        if (!Files.isRegularFile(file)) {
            throw new PowerAiException.InvalidInput(FILE_NAME + ": no pipeline file at " + file
                    + " (create one, or pass the project directory that holds it)");
        }
        Map<String, Object> top = readMap(file, FILE_NAME, "a map of sections (" + String.join(", ", new TreeSet<>(KEYS)) + ")");
        return from(top, file.toAbsolutePath().getParent(), registryOverride);
    }

    /** Reads a step's spec file (JSON or YAML, flat parameters), as the pipeline steps write it, alone. */
    public static StepSpec readStep(Stage stage, Path file, Path projectDir, String registryOverride) {
        return readStepCall(stage, file, null, null, projectDir, registryOverride).spec();
    }

    /** One call of a pipeline step: its spec, and the deprecation notes of the old parameter names it used. */
    public record StepCall(StepSpec spec, List<String> deprecations) {
    }

    /**
     * One call of a pipeline step, read as {@code powerai run} reads the stage: the step's section of the pipeline
     * file with the project's name and registry ({@code pipelineFile}, null when there is none), over the
     * administrator's defaults ({@code defaultsFile}: a map in the step's parameter names, keys that are not this
     * step's ignored; null when none), under the step's own parameters ({@code parametersFile}), which override single
     * keys. Every problem of the three is reported at once.
     */
    public static StepCall readStepCall(Stage stage, Path parametersFile, Path pipelineFile, Path defaultsFile, Path projectDir,
                                        String registryOverride) {
        if (!Files.isRegularFile(parametersFile)) {
            throw new PowerAiException.InvalidInput(stage.stepName() + ": no spec file at " + parametersFile);
        }
        if (pipelineFile != null && !Files.isRegularFile(pipelineFile)) {
            throw new PowerAiException.InvalidInput(stage.stepName() + ": no pipeline file at " + pipelineFile
                    + " (the step's 'pipelineFile', or the CLI's --file: a file in the workspace)");
        }
        Problems problems = new Problems();
        Map<String, Object> merged = new LinkedHashMap<>();
        if (defaultsFile != null) {
            Map<String, Object> defaults = readMap(defaultsFile, stage.stepName(), "a map of default parameters");
            defaults.forEach((key, value) -> {
                String fileKey = StepParameters.fileKey(key);
                boolean given = value != null && !(value instanceof String text && text.isBlank());
                if (given && stepParameters(stage).contains(fileKey)) {
                    merged.put(fileKey, value);
                }
            });
        }
        if (pipelineFile != null) {
            merged.putAll(stepSection(stage, readMap(pipelineFile, FILE_NAME, "a map of sections (" + String.join(", ", new TreeSet<>(KEYS)) + ")"),
                    problems));
        }
        Map<String, Object> parameters = readMap(parametersFile, stage.stepName(), "a map of the step's parameters");
        StepParameters.Mapped given = StepParameters.toFileKeys(stage, parameters, problems);
        merged.putAll(given.fileKeys());
        return new StepCall(forStep(stage, merged, projectDir, registryOverride, problems), given.deprecations());
    }

    /** The project's name and registry, and the stage's section, of a pipeline file; unknown keys are problems. */
    private static Map<String, Object> stepSection(Stage stage, Map<String, Object> top, Problems problems) {
        Section root = new Section(FILE_NAME, top, problems);
        root.rejectUnknown(KEYS);
        Map<String, Object> flat = new LinkedHashMap<>();
        for (String key : List.of("name", "registry")) {
            if (top.containsKey(key)) {
                flat.put(key, top.get(key));
            }
        }
        Object raw = top.get(stage.section());
        if (raw != null) {
            Map<String, Object> section = Section.asMap(raw);
            if (section == null) {
                root.problem(stage.section(), raw, "must be a map of the stage's parameters");
            } else {
                new Section(stage.stepName(), section, problems).rejectUnknown(sectionKeys(stage));
                section.forEach((key, value) -> {
                    if (sectionKeys(stage).contains(key)) {
                        flat.put(key, value);
                    }
                });
            }
        }
        return flat;
    }

    private static Map<String, Object> readMap(Path file, String where, String shape) {
        Object tree;
        try {
            String text = YamlFiles.readText(file, where);
            Optional<String> alias = YamlFiles.anchorOrAlias(text);
            if (alias.isPresent()) {
                throw new PowerAiException.InvalidInput(where + ": " + file + " " + alias.get() + ": " + YamlFiles.aliasRule());
            }
            tree = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new PowerAiException.InvalidInput(where + ": invalid YAML in " + file + yamlProblem(e));
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(where + ": cannot read " + file + ": " + e.getMessage());
        }
        Map<String, Object> map = Section.asMap(tree);
        if (map == null) {
            throw new PowerAiException.InvalidInput(where + ": " + file + " must hold " + shape);
        }
        return map;
    }

    /**
     * " at line L, column C: reason" for a parse error. SnakeYAML's own error carries the problem and where it is
     * (its first line is only the context, e.g. "while scanning for the next token", and Jackson's location is that
     * context's); a Jackson error (a duplicate key) carries its own location.
     */
    static String yamlProblem(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null && marked.getProblem() != null) {
                Mark mark = marked.getProblemMark();
                return " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": " + marked.getProblem().strip();
            }
        }
        JsonLocation at = e.getLocation();
        String position = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return position + ": " + e.getOriginalMessage().lines().findFirst().orElse("parse error");
    }

    public static PipelineSpec from(Map<String, Object> top, Path projectDir, String registryOverride) {
        Problems problems = new Problems();
        Section root = new Section(FILE_NAME, top, problems);
        root.rejectUnknown(KEYS);
        return from(root, projectDir, registryOverride, problems);
    }

    /** A pipeline step's parameters: its section's keys, the project's name and registry, and its extras. */
    public static SortedSet<String> stepParameters(Stage stage) {
        SortedSet<String> keys = new TreeSet<>(sectionKeys(stage));
        keys.add("name");
        keys.add("registry");
        keys.addAll(StepSpec.extras(stage));
        return keys;
    }

    static Set<String> sectionKeys(Stage stage) {
        return switch (stage) {
            case SNAPSHOT -> EnvironmentSpec.KEYS;
            case TRAIN -> TrainSpec.KEYS;
            case SCORING_IMAGE -> ScoreSpec.KEYS;
            case DEPLOY -> DeploySpec.KEYS;
        };
    }

    /**
     * The spec of one pipeline step, from its flat parameters (what a Jenkinsfile passes to the step, written
     * to a spec file by the step): problems are reported under the step's name, unknown parameters with the
     * list of the step's valid ones.
     */
    public static StepSpec forStep(Stage stage, Map<String, Object> parameters, Path projectDir, String registryOverride) {
        return forStep(stage, parameters, projectDir, registryOverride, new Problems());
    }

    private static StepSpec forStep(Stage stage, Map<String, Object> parameters, Path projectDir, String registryOverride,
                                    Problems problems) {
        Section step = new Section(stage.stepName(), parameters, problems);
        step.rejectUnknown(stepParameters(stage));
        Map<String, Object> top = new LinkedHashMap<>();
        Map<String, Object> section = new LinkedHashMap<>();
        parameters.forEach((key, value) -> {
            if (key.equals("name") || key.equals("registry")) {
                top.put(key, value);
            } else if (sectionKeys(stage).contains(key)) {
                section.put(key, value);
            }
        });
        top.put(stage.section(), section);
        String image = null;
        if (StepSpec.extras(stage).contains("image") && step.has("image")) {
            image = step.string("image", false);
            if (image != null) {
                try {
                    io.powerai.core.image.ImageReference.parse(image);
                } catch (IllegalArgumentException e) {
                    step.problem("image", image, "must be an image reference [registry/]name[:tag][@sha256:digest]: " + e.getMessage());
                    image = null;
                }
            }
        }
        PipelineSpec spec = from(new Section(stage.stepName(), top, problems), projectDir, registryOverride, problems);
        return new StepSpec(spec, image);
    }

    private static boolean validPort(int port) {
        return port >= 1 && port <= 65535;
    }

    private static PipelineSpec from(Section root, Path projectDir, String registryOverride, Problems problems) {
        String name = root.matching("name", true, NAME,
                "must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit");
        String registry = registryOverride != null ? registryOverride
                : root.has("registry") ? root.string("registry", false) : DEFAULT_REGISTRY;
        java.util.regex.Matcher registryMatch = registry == null ? null : REGISTRY.matcher(registry);
        if (registryMatch != null && (!registryMatch.matches()
                || registryMatch.group("port") != null && !validPort(Integer.parseInt(registryMatch.group("port"))))) {
            root.problem("registry", registry, "must be a registry host[:port][/namespace] (port 1-65535), e.g. 127.0.0.1:5000 or"
                    + " myacr.azurecr.io");
            registry = null;
        }
        EnvironmentSpec environment = section(root, Stage.SNAPSHOT, problems, s -> EnvironmentSpec.from(s, projectDir));
        TrainSpec train = section(root, Stage.TRAIN, problems, s -> TrainSpec.from(s, projectDir));
        ScoreSpec score = section(root, Stage.SCORING_IMAGE, problems, s -> ScoreSpec.from(s, projectDir));
        DeploySpec deploy = section(root, Stage.DEPLOY, problems, s -> DeploySpec.from(s, projectDir));
        problems.throwIfAny();
        return new PipelineSpec(projectDir, name, registry, environment, train, score, deploy);
    }

    /** The stage's section, or a one-line error saying the file lacks it. */
    public void require(Stage stage) {
        Object section = switch (stage) {
            case SNAPSHOT -> environment;
            case TRAIN -> train;
            case SCORING_IMAGE -> score;
            case DEPLOY -> deploy;
        };
        if (section == null) {
            throw new PowerAiException.InvalidInput(stage.stepName() + ": section '" + stage.section()
                    + "' is missing from " + projectDir.resolve(FILE_NAME) + " (the stage needs it)");
        }
    }

    private static <T> T section(Section root, Stage stage, Problems problems, java.util.function.Function<Section, T> parse) {
        Object raw = root.raw(stage.section());
        if (raw == null) {
            return null;
        }
        Map<String, Object> map = Section.asMap(raw);
        if (map == null) {
            root.problem(stage.section(), raw, "must be a map of the stage's parameters");
            return null;
        }
        return parse.apply(new Section(stage.stepName(), map, problems));
    }
}
