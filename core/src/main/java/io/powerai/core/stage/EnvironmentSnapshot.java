package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.engine.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * EO: pins the experiment environment. The snapshot id is the SHA-256 of a canonical description of the
 * environment (base image by digest, every package, every input file's bytes), so the same inputs always name
 * the same image and an unchanged environment is never built twice.
 */
public final class EnvironmentSnapshot {
    /** Bumped whenever the Dockerfile rendering changes, so that old snapshots are not mistaken for new ones. */
    static final int RENDERER_VERSION = 1;
    static final Stage STAGE = Stage.SNAPSHOT;

    private EnvironmentSnapshot() {
    }

    /** The canonical form that is hashed into the snapshot id. */
    static Map<String, Object> canonicalForm(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles) {
        Map<String, Object> form = new TreeMap<>();
        form.put("renderer", RENDERER_VERSION);
        form.put("base", pinnedBase.toString());
        form.put("apt_packages", env.aptPackages().stream().sorted().toList());
        form.put("env", env.env());
        form.put("files", new TreeMap<>(inputFiles));
        return form;
    }

    public static String snapshotId(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles) {
        return Digests.sha256(Json.canonicalBytes(canonicalForm(env, pinnedBase, inputFiles)));
    }

    /** The Dockerfile of the snapshot image; byte-for-byte the same for the same inputs. */
    public static String renderDockerfile(String projectName, EnvironmentSpec env, ImageReference base,
                                          ImageReference pinnedBase, String snapshotId) {
        StringBuilder out = new StringBuilder();
        out.append("# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.\n");
        out.append("FROM ").append(pinnedBase).append('\n');
        out.append("LABEL io.powerai.snapshot-id=\"").append(snapshotId).append("\" \\\n");
        out.append("      org.opencontainers.image.title=\"").append(projectName).append("-env\" \\\n");
        out.append("      org.opencontainers.image.base.name=\"").append(base).append("\" \\\n");
        out.append("      org.opencontainers.image.base.digest=\"").append(pinnedBase.digest().orElseThrow()).append("\"\n");
        if (!env.env().isEmpty()) {
            out.append("ENV");
            env.env().forEach((k, v) -> out.append(" \\\n    ").append(k).append('=').append(quote(v)));
            out.append('\n');
        }
        if (!env.aptPackages().isEmpty()) {
            out.append("RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends");
            env.aptPackages().stream().sorted().forEach(p -> out.append(" \\\n      ").append(p));
            out.append(" \\\n && rm -rf /var/lib/apt/lists/*\n");
        }
        if (env.pipRequirements() != null) {
            out.append("COPY requirements.txt /opt/powerai/requirements.txt\n");
            out.append("RUN python3 -m pip install --no-cache-dir --requirement /opt/powerai/requirements.txt\n");
        }
        return out.toString();
    }

    /** Dockerfile double-quoted string: backslash, quote and '$' (which ENV would expand) escaped. */
    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + '"';
    }

    public static Map<String, Object> run(StageContext ctx) {
        ctx.spec().require(STAGE);
        EnvironmentSpec env = ctx.spec().environment();
        StageEvents events = ctx.events().forStage(STAGE.stepName());
        long started = System.nanoTime();

        ImageReference base = env.baseImage();
        ImageReference pinnedBase = pinBase(ctx, base, events);

        Map<String, String> inputFiles = new TreeMap<>();
        if (env.pipRequirements() != null) {
            inputFiles.put("requirements.txt", Digests.sha256(env.pipRequirements()));
        }
        String id = snapshotId(env, pinnedBase, inputFiles);
        String dockerfile = renderDockerfile(ctx.spec().name(), env, base, pinnedBase, id);
        Path context = ctx.workspace().stageDir(STAGE).resolve("context");
        writeContext(context, dockerfile, env);

        ImageReference target = ImageReference.of(ctx.spec().registry(), ctx.spec().name() + "-env", id);
        events.progress("snapshot " + id.substring(0, 12) + " of base " + pinnedBase);
        Optional<String> existing = ctx.registry().digest(target);
        boolean built = existing.isEmpty();
        String digest;
        if (existing.isPresent()) {
            digest = existing.get();
            events.progress("registry already has " + target + " (" + digest + "): inputs unchanged, build skipped");
        } else {
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
            digest = ctx.registry().digest(target).orElseThrow(() -> new PowerAiException.InfrastructureUnavailable(
                    STAGE.stepName() + ": registry does not show " + target + " right after the push"));
            events.progress("pushed " + target + " (" + digest + ")");
        }
        ImageReference pinned = target.pinned(digest);

        Map<String, String> inputs = new TreeMap<>(inputFiles);
        inputs.put("base_image", pinnedBase.toString());
        Map<String, String> outputs = Map.of("image", pinned.toString(), "Dockerfile", Digests.sha256(dockerfile));
        Map<String, Object> details = new TreeMap<>();
        details.put("snapshotId", id);
        details.put("built", built);
        AuditLog.Appended record = ctx.workspace().audit().append(
                new AuditLog.Entry(STAGE.stepName(), "succeeded", inputs, outputs, details));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schemaVersion", 1);
        result.put("stage", STAGE.stepName());
        result.put("status", "succeeded");
        result.put("snapshotId", id);
        result.put("image", pinned.toString());
        result.put("imageTag", target.toString());
        result.put("digest", digest);
        result.put("baseImage", base.toString());
        result.put("baseImageDigest", pinnedBase.digest().orElseThrow());
        result.put("built", built);
        result.put("dockerfile", ctx.workspace().dir().relativize(context.resolve("Dockerfile")).toString());
        result.put("durationMillis", (System.nanoTime() - started) / 1_000_000);
        result.put("audit", Map.of("seq", record.seq(), "hash", record.hash()));
        ctx.workspace().writeResult(STAGE, result);
        return result;
    }

    private static ImageReference pinBase(StageContext ctx, ImageReference base, StageEvents events) {
        if (base.digest().isPresent()) {
            return base.pinned(base.digest().get());
        }
        if (base.tag().isEmpty() || base.tag().get().equals("latest")) {
            events.warning("base image " + base + " is not pinned (tag 'latest'): it is pinned by digest for this snapshot,"
                    + " but a later snapshot may see another image; name a version tag or a digest");
        }
        String digest = ctx.registry().digest(base).orElseThrow(() -> new PowerAiException.InvalidInput(STAGE.stepName()
                + ": 'base_image' must name an image that exists in its registry; got '" + base + "' (tag "
                + base.tagOrLatest() + " not found in " + base.registry() + ")"));
        return base.pinned(digest);
    }

    private static void writeContext(Path context, String dockerfile, EnvironmentSpec env) {
        try {
            Files.createDirectories(context);
            try (var stale = Files.list(context)) {
                for (Path p : stale.toList()) {
                    Files.delete(p);
                }
            }
            Json.writeAtomically(context.resolve("Dockerfile"), dockerfile);
            if (env.pipRequirements() != null) {
                Files.copy(env.pipRequirements(), context.resolve("requirements.txt"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + context + ": " + e.getMessage(), e);
        }
    }

}
