package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.ScoreSpec;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * SS: the inference image. The snapshot image, plus the model under a versioned path, the Azure ML entry
 * script and powerai's scoring server. It is started locally and must answer the sample request as expected
 * before it is pushed: an image that fails its smoke test never reaches the registry.
 */
public final class ScoringImage {
    static final Stage STAGE = Stage.SCORING_IMAGE;
    static final int RENDERER_VERSION = 1;
    public static final String SERVER_RESOURCE = "powerai_server.py";
    public static final String APP_DIR = "/var/azureml-app";
    public static final int PORT = 5001;

    private ScoringImage() {
    }

    public static String modelDir(String projectName, String modelVersion) {
        return APP_DIR + "/azureml-models/" + projectName + "/" + modelVersion;
    }

    public static String renderDockerfile(String projectName, ImageReference snapshotImage, String entryScriptName,
                                          String modelVersion, String modelSha256, String imageId) {
        String modelDir = modelDir(projectName, modelVersion);
        return "# Rendered by powerai (scoringImage). Do not edit: change powerai.yaml and build again.\n"
                + "FROM " + snapshotImage + "\n"
                + "LABEL io.powerai.scoring-image-id=\"" + imageId + "\" \\\n"
                + "      io.powerai.model.sha256=\"" + modelSha256 + "\" \\\n"
                + "      org.opencontainers.image.title=\"" + projectName + "-score\" \\\n"
                + "      org.opencontainers.image.base.name=\"" + snapshotImage + "\"\n"
                + "COPY " + SERVER_RESOURCE + " /var/azureml-server/" + SERVER_RESOURCE + "\n"
                + "COPY model/ " + modelDir + "/\n"
                + "COPY " + entryScriptName + " " + APP_DIR + "/" + entryScriptName + "\n"
                + "ENV AZUREML_MODEL_DIR=" + modelDir + " \\\n"
                + "    AZUREML_ENTRY_SCRIPT=" + APP_DIR + "/" + entryScriptName + " \\\n"
                + "    PORT=" + PORT + " \\\n"
                + "    PYTHONUNBUFFERED=1\n"
                + "WORKDIR " + APP_DIR + "\n"
                + "USER 65534:65534\n"
                + "EXPOSE " + PORT + "\n"
                + "CMD [\"python3\", \"/var/azureml-server/" + SERVER_RESOURCE + "\"]\n";
    }

    public static Map<String, Object> run(StageContext ctx) {
        ctx.spec().require(STAGE);
        ScoreSpec spec = ctx.spec().score();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();
        Map<String, Object> training = ctx.workspace().requireResult(Stage.TRAIN, STAGE);
        Map<String, Object> snapshot = ctx.workspace().requireResult(Stage.SNAPSHOT, STAGE);
        ImageReference snapshotImage = ImageReference.parse(String.valueOf(snapshot.get("image")));

        Path outputs = ctx.workspace().dir().resolve(String.valueOf(training.get("outputsDir")));
        Path model = outputs.resolve(spec.model()).normalize();
        if (!model.startsWith(outputs) || !Files.exists(model)) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'model' must name a file or folder the training wrote; got '"
                    + spec.model() + "' (the outputs are: " + String.join(", ", Digests.sha256Tree(outputs).keySet()) + ")");
        }
        String modelSha = Files.isDirectory(model) ? Digests.sha256OfTree(model) : Digests.sha256(model);
        String modelVersion = modelSha.substring(0, 12);
        byte[] server = serverScript();
        String entryName = spec.entryScript().getFileName().toString();
        Map<String, Object> identity = new TreeMap<>();
        identity.put("renderer", RENDERER_VERSION);
        identity.put("base", snapshotImage.toString());
        identity.put("model", modelSha);
        identity.put("entryScript", Digests.sha256(spec.entryScript()));
        identity.put("entryScriptName", entryName);
        identity.put("server", Digests.sha256(server));
        String imageId = Digests.sha256(Json.canonicalBytes(identity));
        String dockerfile = renderDockerfile(ctx.spec().name(), snapshotImage, entryName, modelVersion, modelSha, imageId);

        Path stageDir = ctx.workspace().stageDir(STAGE);
        Path context = stageDir.resolve("context");
        writeContext(context, dockerfile, server, spec.entryScript(), model);
        ImageReference target = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-score", imageId);

        ctx.engine().ensureAvailable();
        events.progress("building " + target + " (model " + modelVersion + ", entry script " + entryName + ")");
        ProcessRunner.Result build = ctx.engine().build(context, target.toString(), events::log);
        if (build.exitCode() != 0) {
            throw new PowerAiException.StageFailed(STAGE.stepName() + ": building " + target + " failed (exit "
                    + build.exitCode() + "): " + build.lastLines(1));
        }
        String answer = smokeTest(ctx, spec, target.toString(), stageDir, events);

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

        Map<String, String> inputs = new TreeMap<>();
        inputs.put("snapshot_image", snapshotImage.toString());
        inputs.put("model", modelSha);
        inputs.put("entry_script", Digests.sha256(spec.entryScript()));
        inputs.put("server", Digests.sha256(server));
        Map<String, String> auditOutputs = Map.of("image", pinned.toString(), "Dockerfile", Digests.sha256(dockerfile));
        Map<String, Object> details = new TreeMap<>();
        details.put("modelPath", spec.model());
        details.put("modelDir", modelDir(ctx.spec().name(), modelVersion));
        details.put("smokeTest", spec.sampleRequest() == null ? "liveness only" : "passed");
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
        if (answer != null) {
            result.put("smokeTestAnswer", Json.mapper().convertValue(parseQuietly(answer), Object.class));
        }
        result.put("dockerfile", ctx.workspace().dir().relativize(context.resolve("Dockerfile")).toString());
        result.put("durationMillis", (System.nanoTime() - started) / 1_000_000);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, result);
        return result;
    }

    /** Runs the image on a free loopback port, checks liveness and the sample answer, and always removes it. */
    private static String smokeTest(StageContext ctx, ScoreSpec spec, String image, Path stageDir, StageEvents events) {
        int port = ScoringProbe.freeLoopbackPort();
        String container = "powerai-smoke-" + ctx.spec().name() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String baseUrl = "http://127.0.0.1:" + port;
        events.progress("smoke test: starting " + container + " on " + baseUrl);
        ctx.engine().start(RunSpec.of(image, List.of())
                .withName(container)
                .withNetwork("host")
                .withEnv(Map.of("PORT", String.valueOf(port), "HOST", "127.0.0.1"))
                .withLabels(Map.of("io.powerai.managed", "true", "io.powerai.stage", STAGE.stepName())));
        try {
            ScoringProbe.awaitLive(baseUrl, Duration.ofSeconds(60), ctx.engine(), container, STAGE.stepName());
            if (spec.sampleRequest() == null) {
                events.warning("no 'sample_request': the smoke test checked liveness only");
                return null;
            }
            String answer = ScoringProbe.smokeTest(baseUrl, spec.sampleRequest(), spec.expectedResponse(), STAGE.stepName());
            events.progress("smoke test passed: " + ScoringProbe.oneLine(answer));
            return answer;
        } catch (PowerAiException e) {
            Path log = stageDir.resolve("smoke-test.log");
            Json.writeAtomically(log, String.join("\n", ctx.engine().logs(container)) + "\n");
            throw new PowerAiException.StageFailed(e.getMessage() + "; nothing was pushed; container log kept at " + log, e);
        } finally {
            ctx.engine().remove(container);
        }
    }

    private static Object parseQuietly(String json) {
        try {
            return Json.mapper().readValue(json, Object.class);
        } catch (IOException e) {
            return json;
        }
    }

    static byte[] serverScript() {
        try (InputStream in = ScoringImage.class.getResourceAsStream(SERVER_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the scoring server " + SERVER_RESOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeContext(Path context, String dockerfile, byte[] server, Path entryScript, Path model) {
        try {
            if (Files.exists(context)) {
                try (Stream<Path> walk = Files.walk(context)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Path modelDir = context.resolve("model");
            Files.createDirectories(modelDir);
            Json.writeAtomically(context.resolve("Dockerfile"), dockerfile);
            Files.write(context.resolve(SERVER_RESOURCE), server);
            Files.copy(entryScript, context.resolve(entryScript.getFileName().toString()));
            if (Files.isDirectory(model)) {
                try (Stream<Path> walk = Files.walk(model)) {
                    for (Path p : walk.filter(Files::isRegularFile).toList()) {
                        Path to = modelDir.resolve(model.relativize(p).toString());
                        Files.createDirectories(to.getParent());
                        Files.copy(p, to);
                    }
                }
            } else {
                Files.copy(model, modelDir.resolve(model.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + context + ": " + e.getMessage(), e);
        }
    }
}
