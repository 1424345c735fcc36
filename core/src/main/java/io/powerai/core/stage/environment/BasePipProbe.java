package io.powerai.core.stage.environment;

import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.InFlight;
import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.spec.EnvironmentSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Before a snapshot is built: when its Dockerfile will run {@code python3 -m pip install} in the base image and
 * nothing in the spec brings pip itself (an apt package {@code python3-pip}, a conda environment), the base image
 * must have pip. Asked once per base image digest ({@code python3 -m pip --version} in a throw-away container, no
 * network); the answer is kept in the workspace, so an unchanged base costs a file read.
 * Without pip the build would fail minutes later with "No module named pip" deep in the engine's output.
 */
final class BasePipProbe {
    static final String CACHE_FILE = "base-pip-probe.json";
    private static final String MARK = "powerai-pip-probe: ";
    private static final String NO_PYTHON = "no python3";

    private BasePipProbe() {
    }

    /** Whether the Dockerfile's pip install relies on the base image's own pip. */
    static boolean needed(EnvironmentSpec env, boolean pipInstall, boolean condaInstall) {
        if (!pipInstall || env.conda() != null || condaInstall) {
            return false;
        }
        return env.aptPackages().stream().noneMatch(p -> p.split("=", 2)[0].equals("python3-pip"));
    }

    /** Throws {@link PowerAiException.InvalidInput} (exit 2) naming what the base image lacks. */
    static void requirePip(ContainerEngine engine, ImageReference base, ImageReference pinnedBase, Path stageDir, String stage, String field) {
        String digest = pinnedBase.digest().orElseThrow();
        Path cache = stageDir.resolve(CACHE_FILE);
        String answer = cached(cache, digest);
        if (answer == null) {
            engine.ensureAvailable();
            ProcessRunner.Result result = engine.runScript(pinnedBase.toString(), "if command -v python3 >/dev/null 2>&1; then "
                    + "v=$(python3 -m pip --version 2>&1) && echo \"" + MARK + "pip $v\" || echo \"" + MARK + "no pip: $v\"; "
                    + "else echo \"" + MARK + NO_PYTHON + "\"; fi", Duration.ofMinutes(5), line -> { });
            answer = result.lines().stream().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length()).strip())
                    .reduce((first, last) -> last).orElse(null);
            if (answer == null) {
                throw new PowerAiException.StageFailed(stage + ": cannot look inside the base image " + pinnedBase + " (exit "
                        + result.exitCode() + "): " + result.lastLines(2) + " (the image needs /bin/sh)");
            }
            remember(cache, digest, answer);
        }
        if (answer.startsWith("pip ")) {
            return;
        }
        String lacks = answer.equals(NO_PYTHON) ? "python3" : "pip (python3 -m pip --version: "
                + answer.substring("no pip:".length()).strip().lines().reduce((a, b) -> b).orElse("") + ")";
        throw new PowerAiException.InvalidInput(stage + ": '" + field + "' installs with pip, and the base image " + base
                + " (" + digest + ") has no " + lacks + "; use a base image with pip, or add 'python3-pip' to apt_packages (Debian-based images)");
    }

    private static String cached(Path cache, String digest) {
        if (!Files.isRegularFile(cache)) {
            return null;
        }
        try {
            Map<String, Object> known = Json.readObject(cache);
            return digest.equals(known.get("digest")) && known.get("answer") instanceof String s ? s : null;
        } catch (IOException | RuntimeException e) {
            return null; // a damaged cache is asked again
        }
    }

    private static void remember(Path cache, String digest, String answer) {
        Map<String, Object> known = new LinkedHashMap<>();
        known.put("digest", digest);
        known.put("answer", answer);
        Json.writeAtomically(cache, Json.pretty(known));
    }
}
