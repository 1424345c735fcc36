package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.dev.DevCapture;
import io.powerai.core.dev.DevEnvironment;
import io.powerai.core.dev.DevSettings;
import io.powerai.core.dev.DevState;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.WorkspaceLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code powerai dev}: a Jupyter server in the project's environment snapshot; {@code --capture} brings what was installed back. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = {"Start a Jupyter server in the project's environment snapshot (built first when needed) plus a dev layer",
                "with Jupyter: the project mounted read-write as the notebooks' folder, data read-only, GPUs as gpuTrain gets them.",
                "Listens on 127.0.0.1 only, wants the random token kept in .powerai/dev.json (mode 0600), never runs as root.",
                "Returns once the server answers; the container keeps running until --stop."})
final class DevCommand implements Callable<Integer> {
    @ParentCommand
    PowerAiCommand top;
    @Mixin
    PowerAiCommand.Common common;
    @Option(names = "--port", paramLabel = "N", description = "Host port of the server (default: " + DevSettings.DEFAULT_PORT + ").")
    Integer port;
    @Option(names = "--listen", paramLabel = "ADDRESS", description = "Listen on this IP address instead of 127.0.0.1; "
            + "an address other machines reach needs --allow-remote too.")
    String listen;
    @Option(names = "--allow-remote", description = "Confirms that --listen names an address other machines reach (a warning is "
            + "printed; the token is still required).")
    boolean allowRemote;
    @Option(names = "--stop", description = "Stop the project's dev server (files written as root's stand-in go back to root).")
    boolean stop;
    @Option(names = "--status", description = "Say whether the project's dev server runs, and where.")
    boolean status;
    @Option(names = "--capture", description = "Write what was installed in the running dev container (pip, apt, conda) beyond "
            + "the snapshot into the project's environment files, so that the next snapshot builds it.")
    boolean capture;

    @Override
    public Integer call() {
        List<String> problems = new ArrayList<>();
        DevSettings settings = null;
        int actions = (stop ? 1 : 0) + (status ? 1 : 0) + (capture ? 1 : 0);
        if (actions > 1) {
            problems.add("dev: '--stop', '--status' and '--capture' exclude each other; got " + actions + " of them");
        }
        if (actions > 0 && (port != null || listen != null || allowRemote)) {
            problems.add("dev: '--port', '--listen' and '--allow-remote' apply to starting the server, not to --stop, --status or --capture");
        }
        if (common.stepSpec != null) {
            problems.add("dev: '--spec' is not for dev, which reads and writes DIR/" + PipelineSpec.FILE_NAME + "; got '" + common.stepSpec + "'");
        }
        try {
            settings = DevSettings.of(port, listen, allowRemote);
        } catch (PowerAiException.InvalidInput e) {
            problems.add(e.getMessage());
        }
        Path dir = common.projectDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            problems.add("dev: 'DIR' must be a project folder holding " + PipelineSpec.FILE_NAME + "; got '" + common.projectDir
                    + "' (no such folder)");
        }
        if (!problems.isEmpty()) {
            throw new PowerAiException.InvalidInput(String.join("\n", problems));
        }
        StageContext ctx = common.context(top, Stage.SNAPSHOT);
        if (status) {
            return status(ctx, dir);
        }
        // One run at a time in a workspace: starting snapshots, capturing and stopping change what a snapshot reads.
        try (WorkspaceLock ignored = common.lock(top, ctx, Stage.SNAPSHOT)) {
            return change(ctx, dir, settings);
        }
    }

    private int change(StageContext ctx, Path dir, DevSettings settings) {
        if (stop) {
            top.console.line(DevEnvironment.stop(ctx) ? "stopped" : "no dev server was running for " + dir);
            return 0;
        }
        if (capture) {
            return capture(ctx);
        }
        DevState state = DevEnvironment.start(ctx, settings);
        top.console.line(top.terminal ? "Jupyter: " + state.urlWithToken()
                : "Jupyter: " + state.url() + " (token in " + DevState.file(ctx.workspace().dir()) + ")");
        top.console.line("stop it with: powerai dev " + dir + " --stop");
        return 0;
    }

    private int status(StageContext ctx, Path dir) {
        DevEnvironment.Status now = DevEnvironment.status(ctx);
        if (now.state() == null) {
            top.console.line("no dev server for " + dir + " (start one with: powerai dev " + dir + ")");
        } else {
            top.console.line((now.running() ? "running: " : "stopped: ") + now.state().url() + " (container " + now.state().container()
                    + ", image " + now.state().image() + ", as " + now.state().runAs() + ", token in "
                    + DevState.file(ctx.workspace().dir()) + ")");
        }
        return 0;
    }

    private int capture(StageContext ctx) {
        Path specFile = common.file != null ? common.file.toAbsolutePath().normalize() : ctx.spec().projectDir().resolve(PipelineSpec.FILE_NAME);
        DevCapture.Outcome outcome = DevCapture.run(ctx, specFile);
        if (outcome.nothing()) {
            top.console.line("nothing installed beyond the snapshot: the environment files are as they were");
            return 0;
        }
        top.console.line("captured: " + outcome.pip().size() + " pip, " + outcome.apt().size() + " apt, " + outcome.conda().size()
                + " conda");
        outcome.pip().forEach(p -> top.console.line("  pip   " + p));
        outcome.apt().forEach(p -> top.console.line("  apt   " + p));
        outcome.conda().forEach(p -> top.console.line("  conda " + p));
        outcome.written().forEach(f -> top.console.line("updated " + f));
        if (!outcome.byHand().isEmpty()) {
            top.console.line("to apply by hand (also in " + DevCapture.byHandFile(ctx) + "):");
            outcome.byHand().forEach(l -> top.console.line("  " + l));
        }
        top.console.line("next: powerai snapshot " + ctx.spec().projectDir() + " (then: powerai snapshot verify)");
        return 0;
    }
}
