package io.powerai.core.stage.scoring;

import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.InFlight;
import io.powerai.core.stage.Containers;
import io.powerai.core.stage.Resources;
import io.powerai.core.stage.ScoringProbe;
import io.powerai.core.stage.Parity;
import io.powerai.core.stage.ProjectSource;
import io.powerai.core.PowerAiException;
import io.powerai.core.attest.Attestor;
import io.powerai.core.attest.RegistryAttestations;
import io.powerai.core.attest.StageAttestations;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.engine.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.ScoreSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.environment.EnvironmentSnapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * SS: the inference image. The snapshot image, plus powerai's scoring server, the Azure ML entry script, the
 * samples its swagger is generated from and the model under a versioned path; labelled with where it comes from.
 * Before the push it passes the parity gate: started locally, it must answer the requests recorded at training
 * time as recorded. An image that fails the gate never reaches the registry.
 */
public final class ScoringImage {
    static final Stage STAGE = Stage.SCORING_IMAGE;
    static final int RENDERER_VERSION = 2;
    public static final String SERVER_RESOURCE = "powerai_server.py";
    public static final String APP_DIR = "/var/azureml-app";
    public static final int PORT = 5001;

    private ScoringImage() {
    }

    public static String modelDir(String projectName, String modelVersion) {
        return APP_DIR + "/azureml-models/" + projectName + "/" + modelVersion;
    }

    /**
     * What the Dockerfile of a scoring image is rendered from.
     *
     * @param snapshotId the snapshot's id, or null when the snapshot result predates it
     * @param source where the project's code is (its git remote, without credentials), or null
     * @param revision the project's git commit, or null
     * @param sampleRequest whether the context has samples/sample-request.json (the swagger is generated from it)
     * @param sampleResponse whether the context has samples/sample-response.json
     */
    public record Layout(String projectName, ImageReference snapshotImage, String snapshotId, String entryScriptName,
                         String modelVersion, String modelSha256, String imageId, String source, String revision,
                         boolean sampleRequest, boolean sampleResponse, ScoreSpec serving) {
    }

    public static final String SAMPLES_DIR = APP_DIR + "/powerai";

    /**
     * The Dockerfile; byte-for-byte the same for the same layout. The files come first and the metadata last,
     * so that a new label or setting rebuilds no layer, and a new model (last) only its own.
     */
    public static String renderDockerfile(Layout l) {
        String modelDir = modelDir(l.projectName(), l.modelVersion());
        ScoreSpec serving = l.serving();
        DockerfileWriter out = new DockerfileWriter();
        out.comment("Rendered by powerai (scoringImage). Do not edit: change powerai.yaml and build again.");
        out.from(l.snapshotImage().toString());
        out.copy(SERVER_RESOURCE, "/var/azureml-server/" + SERVER_RESOURCE);
        out.copy(l.entryScriptName(), APP_DIR + "/" + l.entryScriptName());
        if (l.sampleRequest() || l.sampleResponse()) {
            out.copy("samples/", SAMPLES_DIR + "/");
        }
        out.copy("model/", modelDir + "/");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZUREML_MODEL_DIR", modelDir);
        env.put("AZUREML_ENTRY_SCRIPT", APP_DIR + "/" + l.entryScriptName());
        env.put("PORT", String.valueOf(PORT));
        if (serving.workers() > 0) {
            env.put("WORKER_COUNT", String.valueOf(serving.workers()));
        }
        env.put("POWERAI_SCORING_TIMEOUT_MS", String.valueOf(serving.scoringTimeoutMs()));
        env.put("POWERAI_MAX_REQUEST_BYTES", String.valueOf(serving.maxRequestBytes()));
        env.put("POWERAI_SERVER", serving.server());
        if (!serving.preload()) {
            env.put("POWERAI_PRELOAD", "0");
        }
        if (l.sampleRequest()) {
            env.put("POWERAI_SAMPLE_REQUEST", SAMPLES_DIR + "/sample-request.json");
        }
        if (l.sampleResponse()) {
            env.put("POWERAI_SAMPLE_RESPONSE", SAMPLES_DIR + "/sample-response.json");
        }
        env.put("PYTHONUNBUFFERED", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        out.env(env);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("io.powerai.scoring-image-id", l.imageId());
        if (l.snapshotId() != null) {
            labels.put("io.powerai.snapshot-id", l.snapshotId());
        }
        labels.put("io.powerai.model.sha256", l.modelSha256());
        labels.put("org.opencontainers.image.title", l.projectName() + "-score");
        labels.put("org.opencontainers.image.base.name", l.snapshotImage().toString());
        if (l.source() != null) {
            labels.put("org.opencontainers.image.source", l.source());
        }
        if (l.revision() != null) {
            labels.put("org.opencontainers.image.revision", l.revision());
        }
        out.labels(labels, false);
        out.workdir(APP_DIR);
        out.user("65534:65534");
        out.expose(PORT);
        out.cmd(List.of("python3", "/var/azureml-server/" + SERVER_RESOURCE));
        return out.toString();
    }

    /** Runs the stage; stopped (the context's cancellation aborted), it is recorded as aborted, its smoke-test container removed. */
    public static Map<String, Object> run(StageContext ctx) {
        ctx.spec().require(STAGE);
        try (InFlight ignored = InFlight.begin(ctx, STAGE)) {
            return runInFlight(ctx);
        }
    }

    private static Map<String, Object> runInFlight(StageContext ctx) {
        ScoreSpec spec = ctx.spec().score();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        TrainingResult training = ctx.workspace().requireResult(Stage.TRAIN, TrainingResult.class, STAGE);
        Map<String, Object> snapshot = ctx.workspace().requireResult(Stage.SNAPSHOT, STAGE);
        ImageReference snapshotImage = ImageReference.parse(String.valueOf(snapshot.get("image")));
        String snapshotId = snapshot.get("snapshotId") == null ? null : String.valueOf(snapshot.get("snapshotId"));

        Path outputs = trainingOutputs(ctx, training);
        // The training script wrote the outputs: a link in them must not carry a host file into the image.
        Path model = ProjectPaths.requireInside(outputs, outputs.resolve(spec.model()), STAGE.stepName() + ": 'model'");
        if (!Files.exists(model)) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'model' must name a file or folder the training wrote; got '"
                    + spec.model() + "' (the outputs are: " + String.join(", ", ProjectPaths.files(outputs, outputs, java.util.Set.of(),
                    STAGE.stepName() + ": training outputs").keySet()) + ")");
        }
        Map<String, Path> modelFiles = ProjectPaths.files(model, outputs, java.util.Set.of(), STAGE.stepName() + ": 'model'");
        String modelSha = Files.isDirectory(model)
                ? Digests.sha256OfTree(model, outputs, java.util.Set.of(), STAGE.stepName() + ": 'model'")
                : Digests.sha256(modelFiles.values().iterator().next());
        String modelVersion = modelSha.substring(0, 12);
        byte[] server = serverScript();
        String entryName = spec.entryScript().getFileName().toString();

        // The answers to reproduce: recorded by the training (parity.json), and the score section's sample.
        List<Parity.Case> cases = new ArrayList<>(Parity.fromTrainingOutputs(outputs, STAGE.stepName()));
        if (spec.sampleRequest() != null) {
            cases.add(Parity.fromSample(spec.sampleRequest(), spec.expectedResponse(), STAGE.stepName()));
        }
        // The swagger is generated from one sample: the score section's, else the first recorded one.
        Parity.Case swaggerSample = spec.sampleRequest() != null ? cases.get(cases.size() - 1) : cases.isEmpty() ? null : cases.get(0);
        byte[] sampleRequest = swaggerSample == null ? null : swaggerSample.body().getBytes(StandardCharsets.UTF_8);
        byte[] sampleResponse = swaggerSample == null || !swaggerSample.hasExpected() ? null
                : Json.pretty(swaggerSample.expected()).getBytes(StandardCharsets.UTF_8);
        ProjectSource source = ProjectSource.of(ctx.spec().projectDir());

        Map<String, Object> identity = new TreeMap<>();
        identity.put("renderer", RENDERER_VERSION);
        identity.put("base", snapshotImage.toString());
        identity.put("model", modelSha);
        identity.put("entryScript", Digests.sha256(spec.entryScript()));
        identity.put("entryScriptName", entryName);
        identity.put("server", Digests.sha256(server));
        List<Object> servingIdentity = new ArrayList<>(List.of(spec.workers(), spec.scoringTimeoutMs(), spec.maxRequestBytes(), spec.server()));
        if (!spec.preload()) {
            servingIdentity.add("no-preload"); // only then: images built before the setting keep their identity
        }
        identity.put("serving", servingIdentity);
        identity.put("samples", List.of(sampleRequest == null ? "" : Digests.sha256(sampleRequest),
                sampleResponse == null ? "" : Digests.sha256(sampleResponse)));
        identity.put("source", source.url() == null ? "" : source.url());
        identity.put("revision", source.revision() == null ? "" : source.revision());
        identity.put("snapshotId", snapshotId == null ? "" : snapshotId);
        String imageId = Digests.sha256(Json.canonicalBytes(identity));
        Layout layout = new Layout(ctx.spec().name(), snapshotImage, snapshotId, entryName, modelVersion, modelSha, imageId,
                source.url(), source.revision(), sampleRequest != null, sampleResponse != null, spec);
        String dockerfile = renderDockerfile(layout);

        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path context = stageDir.resolve("context");
        writeContext(context, dockerfile, server, ProjectPaths.requireInside(ctx.spec().projectDir(), spec.entryScript(),
                STAGE.stepName() + ": 'entry_script'"), modelFiles, sampleRequest, sampleResponse);
        ImageReference target = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-score", imageId);

        ctx.registry().requirePush(target); // before the build: a credential that may not push fails first, leaving nothing
        ctx.engine().ensureAvailable();
        events.progress("building " + target + " (model " + modelVersion + ", entry script " + entryName + ")");
        ProcessRunner.Result build = ctx.engine().build(context, target.toString(), events::log);
        if (build.exitCode() != 0) {
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": building " + target + " failed (exit "
                    + build.exitCode() + "): " + build.lastLines(1));
        }
        Optional<Long> imageSize = ctx.engine().imageSize(target.toString());
        Optional<Long> snapshotSize = ctx.engine().imageSize(snapshotImage.toString());
        if (imageSize.isPresent() && snapshotSize.isPresent()) {
            events.progress("image " + megabytes(imageSize.get()) + ", " + megabytes(imageSize.get() - snapshotSize.get())
                    + " over the snapshot image");
        }
        Gate gate = parityGate(ctx, spec, cases, target, stageDir, events);

        events.progress("pushing " + target);
        ProcessRunner.Result push = ctx.engine().push(target.toString(), events::log);
        if (push.exitCode() != 0) {
            throw new PowerAiException.InfrastructureUnavailable(STAGE.stepName() + ": pushing " + target + " failed (exit "
                    + push.exitCode() + "): " + push.lastLines(1));
        }
        String digest = ctx.registry().digest(target).orElseThrow(() -> new PowerAiException.InfrastructureUnavailable(
                STAGE.stepName() + ": registry does not show " + target + " right after the push"));
        ImageReference pinned = target.pinned(digest);
        events.progress("pushed " + pinned);

        Map<String, Object> parity = new TreeMap<>();
        parity.put("checked", gate.checked());
        parity.put("compared", gate.compared());
        parity.put("sources", gate.sources());
        parity.put("tolerance", spec.parityTolerance());
        Map<String, Object> serving = new TreeMap<>();
        serving.put("workers", spec.workers() == 0 ? "auto (one per CPU)" : spec.workers());
        serving.put("scoringTimeoutMs", spec.scoringTimeoutMs());
        serving.put("maxRequestBytes", spec.maxRequestBytes());
        serving.put("server", spec.server());
        serving.put("preload", spec.preload());

        Map<String, String> inputs = new TreeMap<>();
        inputs.put("snapshot_image", snapshotImage.toString());
        inputs.put("model", modelSha);
        inputs.put("entry_script", Digests.sha256(spec.entryScript()));
        inputs.put("server", Digests.sha256(server));
        if (source.revision() != null) {
            inputs.put("revision", source.revision());
        }
        Map<String, String> auditOutputs = Map.of("image", pinned.toString(), "Dockerfile", Digests.sha256(dockerfile));
        Map<String, Object> details = new TreeMap<>();
        details.put("modelPath", spec.model());
        details.put("modelDir", modelDir(ctx.spec().name(), modelVersion));
        details.put("smokeTest", gate.checked() == 0 ? "readiness only" : "passed");
        details.put("parity", parity);
        imageSize.ifPresent(size -> details.put("imageSizeBytes", size));
        ctx.cancellation().recording(STAGE.stepName());
        Attestor.Written attestations = StageAttestations.scoringImage(ctx.attestor(), ctx.workspace().dir(), STAGE.stepName(),
                StageAttestations.Timing.endingAt(ctx.clock().instant(), (System.nanoTime() - started) / 1_000_000), pinned,
                new StageAttestations.ScoringInputs(snapshotImage, Manifest.readIfPresent(EnvironmentSnapshot.manifestFile(ctx.workspace())),
                        spec.model(), modelSha, entryName, inputs.get("entry_script"), inputs.get("server"), serving, source.revision()));
        RegistryAttestations.publish(ctx.registry(), pinned, ctx.workspace().dir(), STAGE.stepName()).values().forEach(a -> events.progress("attached " + a));
        details.put("attestations", attestations.toJson());
        AuditLog.Appended record = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), "succeeded", inputs, auditOutputs, details));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", STAGE.stepName());
        result.put("status", "succeeded");
        result.put("image", pinned.toString());
        result.put("imageTag", target.toString());
        result.put("digest", digest);
        result.put("snapshotImage", snapshotImage.toString());
        result.put("model", spec.model());
        result.put("modelSha256", modelSha);
        result.put("modelDir", modelDir(ctx.spec().name(), modelVersion));
        result.put("entryScript", entryName);
        if (source.url() != null) {
            result.put("source", source.url());
        }
        if (source.revision() != null) {
            result.put("revision", source.revision());
        }
        imageSize.ifPresent(size -> result.put("imageSizeBytes", size));
        snapshotSize.ifPresent(size -> result.put("snapshotImageSizeBytes", size));
        if (imageSize.isPresent() && snapshotSize.isPresent()) {
            result.put("overheadBytes", imageSize.get() - snapshotSize.get());
        }
        result.put("serving", serving);
        result.put("parity", parity);
        result.put("attestations", attestations.toJson());
        result.put("startToFirstScoreMillis", gate.startToFirstScoreMillis());
        if (gate.answer() != null) {
            result.put("smokeTestAnswer", Json.mapper().convertValue(parseQuietly(gate.answer()), Object.class));
        }
        result.put("dockerfile", ctx.workspace().dir().relativize(context.resolve("Dockerfile")).toString());
        result.put("durationMillis", (System.nanoTime() - started) / 1_000_000);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, result);
        return result;
    }

    /** What the gate checked: cases sent, answers compared, where they came from, the last answer. */
    record Gate(int checked, int compared, List<String> sources, String answer, Long startToFirstScoreMillis) {
    }

    /**
     * The parity gate: runs the image on a free loopback port, waits until it is ready, sends every recorded
     * request and compares the answers with the recorded ones. Any difference fails the stage before the push;
     * the container is always removed, its log kept when the gate fails.
     */
    private static Gate parityGate(StageContext ctx, ScoreSpec spec, List<Parity.Case> cases, ImageReference image,
                                   Path stageDir, StageEvents events) {
        int port = ScoringProbe.freeLoopbackPort();
        String container = Containers.jobName(ctx, "smoke");
        String baseUrl = "http://127.0.0.1:" + port;
        events.progress("parity gate: starting " + container + " on " + baseUrl);
        long startedAt = System.nanoTime();
        ctx.engine().start(RunSpec.of(image.toString(), List.of())
                .withName(container)
                .withNetwork("host")
                .withEnv(Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1"))
                .withLabels(Containers.labels(ctx, STAGE, Containers.JOB)));
        Path log = stageDir.resolve("smoke-test.log");
        try {
            ScoringProbe.awaitLive(baseUrl, Duration.ofSeconds(60), ctx.engine(), container, STAGE.stepName());
            if (cases.isEmpty()) {
                events.warning("no 'sample_request' and no " + Parity.FILE_NAME + " in the training outputs: the image was"
                        + " checked for readiness only, not for its answers");
                return new Gate(0, 0, List.of(), null, null);
            }
            List<String> differences = new ArrayList<>();
            int failed = 0;
            int compared = 0;
            Long firstScore = null;
            String last = null;
            for (Parity.Case c : cases) {
                ScoringProbe.Answer answer = ScoringProbe.score(baseUrl, c.body(), Duration.ofMillis(spec.scoringTimeoutMs() + 30_000L));
                if (firstScore == null && answer.status() == 200) {
                    firstScore = (System.nanoTime() - startedAt) / 1_000_000;
                }
                List<String> problems;
                if (answer.status() != 200) {
                    problems = List.of("HTTP " + answer.status() + ": " + ScoringProbe.oneLine(answer.body()));
                } else {
                    Object actual = parseQuietly(answer.body());
                    if (actual == answer.body()) { // parseQuietly gives back the very text it could not parse
                        problems = List.of("the answer is not JSON: " + ScoringProbe.oneLine(answer.body()));
                    } else if (c.hasExpected()) {
                        compared++;
                        problems = Parity.differences(c.expected(), actual, spec.parityTolerance());
                    } else {
                        problems = List.of();
                    }
                    last = answer.body();
                }
                if (!problems.isEmpty()) {
                    failed++;
                    problems.forEach(p -> differences.add(c.origin() + " " + p));
                }
            }
            List<String> sources = cases.stream().map(c -> c.origin().startsWith(Parity.FILE_NAME) ? Parity.FILE_NAME : c.origin())
                    .distinct().toList();
            if (failed > 0) {
                Json.writeAtomically(log, String.join("\n", ctx.engine().logs(container)) + "\n");
                Path diff = stageDir.resolve("parity-diff.txt");
                Json.writeAtomically(diff, String.join("\n", differences) + "\n");
                List<String> shown = differences.subList(0, Math.min(differences.size(), Parity.MAX_DIFFERENCES));
                throw new PowerAiException.StageFailed(STAGE.stepName() + ": parity gate failed: " + failed + " of " + cases.size()
                        + " recorded answers differ (" + String.join(", ", sources) + "; floats within relative "
                        + spec.parityTolerance() + "); " + image + " was not pushed; diff kept at " + diff
                        + ", container log at " + log
                        + shown.stream().map(d -> "\n" + STAGE.stepName() + ": parity: " + d).collect(Collectors.joining())
                        + (differences.size() > shown.size() ? "\n" + STAGE.stepName() + ": parity: ... "
                        + (differences.size() - shown.size()) + " more in " + diff : ""));
            }
            events.progress("parity gate passed: " + cases.size() + " request(s) answered as recorded (" + String.join(", ", sources)
                    + "); first answer " + firstScore + " ms after the container was started");
            return new Gate(cases.size(), compared, sources, last, firstScore);
        } catch (PowerAiException e) {
            if (!Files.exists(log)) {
                Json.writeAtomically(log, String.join("\n", ctx.engine().logs(container)) + "\n");
            }
            if (e.getMessage().contains("parity gate failed")) {
                throw e;
            }
            throw new PowerAiException.StageFailed(e.getMessage() + "; " + image + " was not pushed; container log kept at " + log, e);
        } finally {
            ctx.engine().remove(container);
        }
    }

    private static String megabytes(long bytes) {
        return Math.abs(bytes) < 1_000_000 ? String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1e3)
                : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static Object parseQuietly(String json) {
        try {
            return Json.mapper().readValue(json, Object.class);
        } catch (IOException e) {
            return json;
        }
    }

    public static byte[] serverScript() {
        return Resources.read(SERVER_RESOURCE, "the scoring server");
    }

    private static void writeContext(Path context, String dockerfile, byte[] server, Path entryScript,
                                     Map<String, Path> modelFiles, byte[] sampleRequest, byte[] sampleResponse) {
        try {
            ProjectPaths.deleteTree(context);
            if (sampleRequest != null || sampleResponse != null) {
                Path samples = context.resolve("samples");
                Files.createDirectories(samples);
                if (sampleRequest != null) {
                    Files.write(samples.resolve("sample-request.json"), sampleRequest);
                }
                if (sampleResponse != null) {
                    Files.write(samples.resolve("sample-response.json"), sampleResponse);
                }
            }
            Path modelDir = context.resolve("model");
            Files.createDirectories(modelDir);
            Json.writeAtomically(context.resolve("Dockerfile"), dockerfile);
            Files.write(context.resolve(SERVER_RESOURCE), server);
            ProjectPaths.copyFile(entryScript.toRealPath(), context.resolve(entryScript.getFileName().toString()));
            // Plain files only, links resolved and checked: the build context never holds a link.
            modelFiles.forEach((relative, real) -> ProjectPaths.copyFile(real, modelDir.resolve(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + context + ": " + e.getMessage(), e);
        }
    }

    /** The training's outputs folder as its result names it, which must stay inside the workspace folder. */
    static Path trainingOutputs(StageContext ctx, TrainingResult training) {
        Path dir = ctx.workspace().dir();
        return ProjectPaths.requireInside(dir, dir.resolve(String.valueOf(training.outputsDir())),
                STAGE.stepName() + ": the training result's 'outputsDir'");
    }
}
