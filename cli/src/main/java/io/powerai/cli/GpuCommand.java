package io.powerai.cli;

import io.powerai.core.gpu.GpuProbe;
import io.powerai.core.gpu.GpuTools;
import io.powerai.core.json.Json;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.TrainingPreflight;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code powerai gpu info} and {@code powerai gpu preflight}: what nvidia-smi says about this host, and what
 * gpuTrain's preflight decides, as JSON on stdout (progress goes to stderr, so the JSON can be piped).
 */
@Command(name = "gpu", mixinStandardHelpOptions = true,
        description = "The host's NVIDIA GPUs as gpuTrain sees them (nvidia-smi, or POWERAI_NVIDIA_SMI).",
        subcommands = {GpuCommand.Info.class, GpuCommand.Preflight.class})
final class GpuCommand implements Runnable {
    @ParentCommand
    PowerAiCommand top;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec self;

    @Override
    public void run() {
        // the handler lists the subcommands of the command it is given
        throw new picocli.CommandLine.ParameterException(self.commandLine(), "a subcommand is required");
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Print the GPUs, driver and CUDA version as JSON. Exit 3 when there is none to use (no driver, no GPU, "
                    + "nvidia-smi failing), with the reason in the JSON and on stderr.")
    static final class Info implements Callable<Integer> {
        @ParentCommand
        GpuCommand gpu;

        @Override
        public Integer call() {
            PowerAiCommand top = gpu.top;
            GpuTools tools = GpuTools.fromEnvironment(top.environment);
            GpuProbe probe = tools.nvidiaSmi().probe();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("nvidiaSmi", tools.nvidiaSmi().binary());
            if (probe instanceof GpuProbe.Found found) {
                out.put("status", "found");
                out.putAll(found.inventory().toMap());
                top.console.line(Json.pretty(out).stripTrailing());
                return 0;
            }
            GpuProbe.Unavailable none = (GpuProbe.Unavailable) probe;
            out.put("status", "unavailable");
            out.put("reason", none.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            out.put("detail", none.describe());
            top.console.line(Json.pretty(out).stripTrailing());
            top.err.println("gpu: " + none.describe());
            return 3; // infrastructure unavailable, as PowerAiException.InfrastructureUnavailable
        }
    }

    @Command(name = "preflight", mixinStandardHelpOptions = true,
            description = "Run gpuTrain's checks for DIR's train section (or --spec) without training: the GPUs asked for exist "
                    + "and are free enough, the driver runs the image's CUDA, the engine can hand GPUs over. Prints the decision "
                    + "as JSON; under gpu_policy require a failed check ends with its one-line reason and exit 3.")
    static final class Preflight implements Callable<Integer> {
        @ParentCommand
        GpuCommand gpu;
        @Mixin
        PowerAiCommand.Common common;
        @Option(names = "--image", paramLabel = "REF", description = "Image whose CUDA version to check (default: the spec's, "
                + "else the last snapshot's when there is one).")
        String image;

        @Override
        public Integer call() {
            PowerAiCommand top = gpu.top;
            StageContext base = common.context(top, Stage.TRAIN);
            // Progress to stderr: stdout carries only the JSON.
            StageContext ctx = new StageContext(base.spec(), base.workspace(), base.engine(), base.registry(), new Console(top.err),
                    base.clock(), base.gpu());
            String ref = image != null ? image : common.specImage;
            if (ref == null) {
                ref = ctx.workspace().lastResult(Stage.SNAPSHOT, SnapshotResult.class).map(SnapshotResult::image).orElse(null);
            }
            top.console.line(Json.pretty(TrainingPreflight.run(ctx, ref)).stripTrailing());
            return 0;
        }
    }
}
