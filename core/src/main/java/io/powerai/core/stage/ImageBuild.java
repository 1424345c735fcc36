package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;

import java.nio.file.Path;

/**
 * The one way a stage builds an image and pushes it (the caller checks the registry's push permission first): the
 * engine's output as the stage's log, a failed build a failed stage (exit 1), a failed push an unavailable registry
 * (exit 3), and the digest read back from the registry, never from the engine's output.
 */
public final class ImageBuild {
    private ImageBuild() {
    }

    /** Builds {@code context} as {@code target}; say what is being built first ({@code progress}). */
    public static void build(StageContext ctx, String stage, Path context, ImageReference target, StageEvents events) {
        ctx.engine().ensureAvailable();
        ProcessRunner.Result build = ctx.engine().build(context, target.toString(), events::log);
        if (build.exitCode() != 0) {
            throw new PowerAiException.StageFailed(stage + ": building " + target + " failed (exit "
                    + build.exitCode() + "): " + build.lastLines(1));
        }
    }

    /** Pushes the built {@code target} and returns its digest as the registry has it. */
    public static String push(StageContext ctx, String stage, ImageReference target, StageEvents events) {
        events.progress("pushing " + target);
        ProcessRunner.Result push = ctx.engine().push(target.toString(), events::log);
        if (push.exitCode() != 0) {
            throw new PowerAiException.InfrastructureUnavailable(stage + ": pushing " + target + " failed (exit "
                    + push.exitCode() + "): " + push.lastLines(1));
        }
        return ctx.registry().digest(target).orElseThrow(() -> new PowerAiException.InfrastructureUnavailable(
                stage + ": registry does not show " + target + " right after the push"));
    }
}
