package io.powerai.library;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.json.Digests;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.StageDescriptor;
import io.powerai.core.json.Json;
import io.powerai.core.spec.StepSpec;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A double of the powerai CLI's contract with the steps (no container engine can run in these tests): it reads
 * the spec file with the real parser of core, so invalid input fails with core's own message and exit code 2;
 * otherwise it does what the test's scenario says, writing result files and audit records with core's own
 * writers, as the CLI would leave them.
 */
final class FakeCli {

    /** What a stage does once its spec is valid. */
    enum Scenario { SUCCEEDS, STAGE_FAILS, INFRASTRUCTURE_UNAVAILABLE }

    /** The CLI's exit code and what it wrote to stderr. */
    record Outcome(int status, String stderr, String stdout) {
        Outcome(int status, String stderr) {
            this(status, stderr, "");
        }
    }

    /** What the pod-template command prints: a pod with the training container, as the real one renders it. */
    static final String POD_YAML = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: train\n    image: IMAGE\n";

    /** One run of the CLI as the shell started it: the step, the environment it saw. */
    record Invocation(String step, Map<String, String> environment) {
    }

    static final String DIGEST_ENV = "sha256:" + "e".repeat(64);
    static final String DIGEST_SCORE = "sha256:" + "5".repeat(64);
    static final String DIGEST_BASE = "sha256:" + "b".repeat(64);

    private final Map<Stage, Scenario> scenarios = new EnumMap<>(Stage.class);
    private final List<Invocation> invocations = new java.util.ArrayList<>();

    void scenario(String step, Scenario scenario) {
        scenarios.put(stage(step), scenario);
    }

    List<Invocation> invocations() {
        return invocations;
    }

    /** How often the steps asked the CLI for the stage descriptors (powerai stages --json). */
    private int descriptorQueries;

    int descriptorQueries() {
        return descriptorQueries;
    }

    static Stage stage(String step) {
        for (Stage s : Stage.values()) {
            if (s.stepName().equals(step)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no stage " + step);
    }

    static Stage stageOfCommand(String command) {
        return switch (command) {
            case "snapshot" -> Stage.SNAPSHOT;
            case "train" -> Stage.TRAIN;
            case "scoring-image" -> Stage.SCORING_IMAGE;
            case "deploy" -> Stage.DEPLOY;
            default -> throw new IllegalArgumentException("the CLI has no command '" + command + "'");
        };
    }

    /** Runs {@code command} in {@code workspace}; paths in the environment are relative to it, as for the shell. */
    Outcome run(String command, Path workspace, Map<String, String> env) {
        return run(command, workspace, env, "");
    }

    /**
     * As above; {@code script} is the whole shell script, for the options after the command: pod-template prints
     * the pod, and train --pod prepare leaves the runner that the training container then runs.
     */
    Outcome run(String command, Path workspace, Map<String, String> env, String script) {
        if (command.equals("stages")) {
            // What `powerai stages --json` prints: core's own descriptors, as the real command writes them.
            descriptorQueries++;
            return new Outcome(0, "", Json.pretty(StageDescriptor.all()));
        }
        boolean podTemplate = command.equals("pod-template");
        Stage stage = podTemplate ? Stage.TRAIN : stageOfCommand(command);
        invocations.add(new Invocation(stage.stepName(), Map.copyOf(env)));
        Path project = workspace.resolve(env.get("POWERAI_PROJECT")).normalize();
        Path specFile = workspace.resolve(env.get("POWERAI_SPEC")).normalize();
        Path outputRoot = workspace.resolve(env.get("POWERAI_WORKSPACE")).normalize();
        StepSpec spec;
        StringBuilder log = new StringBuilder();
        try {
            // As the CLI reads a step call: the named pipeline file (--file), else the project's powerai.yaml if any,
            // and the plugin's defaults (--defaults) under the step's parameters.
            Path named = script.contains("--file \"$POWERAI_PIPELINE_FILE\"") ? workspace.resolve(env.get("POWERAI_PIPELINE_FILE")) : null;
            Path pipelineFile = named != null ? named
                    : Files.isRegularFile(project.resolve(PipelineSpec.FILE_NAME)) ? project.resolve(PipelineSpec.FILE_NAME) : null;
            Path defaults = script.contains("--defaults \"$POWERAI_DEFAULTS\"") ? workspace.resolve(env.get("POWERAI_DEFAULTS")) : null;
            PipelineSpec.StepCall call = PipelineSpec.readStepCall(stage, specFile, pipelineFile, defaults, project, env.get("POWERAI_REGISTRY"));
            call.deprecations().forEach(line -> log.append('[').append(stage.stepName()).append("] WARNING: ").append(line).append('\n'));
            spec = call.spec();
        } catch (PowerAiException e) {
            return new Outcome(e.exitCode(), log + e.getMessage() + "\n");
        }
        Workspace ws = new Workspace(outputRoot, Clock.systemUTC());
        if (podTemplate) {
            return new Outcome(0, "", POD_YAML.replace("IMAGE", String.valueOf(spec.image())));
        }
        Outcome outcome = runStage(stage, spec, ws, script);
        return new Outcome(outcome.status(), log + outcome.stderr(), outcome.stdout());
    }

    private Outcome runStage(Stage stage, StepSpec spec, Workspace ws, String script) {
        if (script.contains(" --gate-only")) {
            return scenarios.getOrDefault(stage, Scenario.SUCCEEDS) == Scenario.STAGE_FAILS
                    ? new Outcome(1, "aksDeploy: gate test_accuracy (max, min_delta 0): the new model's 0.9 is not better than the "
                    + "serving model's 0.95 by at least 0; the serving version stays\n")
                    : new Outcome(0, "", "[aksDeploy] gate test_accuracy (max, min_delta 0): nothing serves yet, the first model (0.9) passes\n");
        }
        if (script.contains(" --pod prepare")) {
            Path dir = ws.stageDir(stage);
            write(dir.resolve("pod_train_runner.py"), "print('training in the pod')\n");
            write(dir.resolve("pod-run.json"), "{}\n");
            return new Outcome(0, "");
        }
        return switch (scenarios.getOrDefault(stage, Scenario.SUCCEEDS)) {
            case SUCCEEDS -> succeed(stage, spec, ws);
            case STAGE_FAILS -> fail(stage, spec, ws);
            case INFRASTRUCTURE_UNAVAILABLE -> new Outcome(3, stage.stepName()
                    + ": no container engine: neither docker nor podman is on PATH (install one, or set POWERAI_ENGINE)\n");
        };
    }

    private Outcome succeed(Stage stage, StepSpec step, Workspace ws) {
        PipelineSpec spec = step.pipeline();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", stage.stepName());
        result.put("status", "succeeded");
        Map<String, String> inputs = new TreeMap<>();
        Map<String, String> outputs = new TreeMap<>();
        switch (stage) {
            case SNAPSHOT -> {
                String snapshotId = "4a1b".repeat(16);
                String image = spec.registry() + "/" + spec.name() + "-env@" + DIGEST_ENV;
                write(ws.stageDir(stage).resolve("context/Dockerfile"), "FROM " + spec.environment().baseImage() + "@" + DIGEST_BASE + "\n");
                result.put("snapshotId", snapshotId);
                result.put("image", image);
                result.put("imageTag", spec.registry() + "/" + spec.name() + "-env:" + snapshotId);
                result.put("digest", DIGEST_ENV);
                result.put("baseImage", spec.environment().baseImage().toString());
                result.put("baseImageDigest", DIGEST_BASE);
                result.put("built", true);
                result.put("dockerfile", "environment/context/Dockerfile");
                inputs.put("base_image", spec.environment().baseImage() + "@" + DIGEST_BASE);
                outputs.put("image", image);
            }
            case TRAIN -> {
                Path dir = ws.stageDir(stage);
                write(dir.resolve("outputs/model.pkl"), "a model");
                write(dir.resolve("train.log"), "{\"metric\": \"test_accuracy\", \"value\": 0.97}\n");
                write(dir.resolve("metrics.json"), "{\"final\": {\"test_accuracy\": 0.97}}\n");
                // the chart the real run draws from the metrics (TrainingRun)
                write(dir.resolve("metrics.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
                String modelSha = Digests.sha256(dir.resolve("outputs/model.pkl"));
                result.put("image", step.image() != null ? step.image() : spec.registry() + "/" + spec.name() + "-env@" + DIGEST_ENV);
                result.put("script", String.valueOf(spec.train().script()));
                result.put("args", spec.train().args());
                result.put("gpus", spec.train().gpus());
                result.put("exitCode", 0);
                result.put("metrics", Map.of("test_accuracy", 0.97));
                result.put("outputsDir", "train/outputs");
                result.put("outputs", Map.of("model.pkl", modelSha));
                result.put("log", "train/train.log");
                outputs.put("model.pkl", modelSha);
            }
            case SCORING_IMAGE -> {
                write(ws.stageDir(stage).resolve("context/Dockerfile"), "FROM " + spec.registry() + "/" + spec.name() + "-env@" + DIGEST_ENV + "\n");
                String image = spec.registry() + "/" + spec.name() + "-score@" + DIGEST_SCORE;
                result.put("image", image);
                result.put("digest", DIGEST_SCORE);
                result.put("model", spec.score().model());
                result.put("modelSha256", "7".repeat(64));
                result.put("entryScript", "score.py");
                result.put("dockerfile", "score/context/Dockerfile");
                outputs.put("image", image);
            }
            case DEPLOY -> {
                String image = step.image() != null ? step.image() : spec.registry() + "/" + spec.name() + "-score@" + DIGEST_SCORE;
                result.put("target", spec.deploy().target());
                result.put("image", image);
                result.put("container", "powerai-" + spec.name());
                result.put("scoringUrl", "http://127.0.0.1:" + spec.deploy().port() + "/score");
                result.put("smokeTestAnswer", "[0, 1]");
                inputs.put("image", image);
            }
            default -> throw new IllegalStateException();
        }
        AuditLog.Appended record = ws.audit().append(new AuditLog.Entry(stage.stepName(), "succeeded", inputs, outputs, Map.of()));
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ws.writeResult(stage, result);
        return new Outcome(0, "");
    }

    private Outcome fail(Stage stage, StepSpec step, Workspace ws) {
        String name = step.pipeline().name();
        Path dir = ws.stageDir(stage);
        String message;
        String status = "failed";
        switch (stage) {
            case SNAPSHOT -> {
                write(dir.resolve("context/Dockerfile"), "FROM base\nRUN apt-get install -y python3-nope\n");
                message = "amlEnvSnapshot: the image build failed (exit 100): E: Unable to locate package python3-nope;"
                        + " build context kept at " + dir.resolve("context");
            }
            case TRAIN -> {
                Path log = dir.resolve("train.log");
                write(log, "Traceback (most recent call last):\nValueError: C must be positive\n");
                write(dir.resolve("metrics.json"), "{\"final\": {}}\n");
                message = "gpuTrain: the training script exited with status 1; log kept at " + log
                        + " (last line: ValueError: C must be positive)";
            }
            case SCORING_IMAGE -> {
                Path log = dir.resolve("smoke-test.log");
                write(log, "POST /score -> [1, 0]\n");
                message = "scoringImage: the smoke test answered [1, 0] where sample-response.json expects [0, 1];"
                        + " nothing was pushed; log kept at " + log;
            }
            case DEPLOY -> {
                write(dir.resolve("failed-container.log"), "init() failed: model.pkl not found\n");
                status = "rolled-back";
                message = "aksDeploy: powerai-" + name + " did not answer GET / within 60s; rolled back to the previous image;"
                        + " its log is kept at " + dir.resolve("failed-container.log");
            }
            default -> throw new IllegalStateException();
        }
        AuditLog.Appended record = ws.audit().append(new AuditLog.Entry(stage.stepName(), status, Map.of(), Map.of(),
                Map.of("failure", message)));
        if (stage == Stage.TRAIN || stage == Stage.DEPLOY) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("schemaVersion", 1);
            result.put("stage", stage.stepName());
            result.put("status", status);
            result.put("failure", message);
            result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
            ws.writeResult(stage, result);
        }
        return new Outcome(1, message + "\n");
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
