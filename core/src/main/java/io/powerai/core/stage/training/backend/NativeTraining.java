package io.powerai.core.stage.training.backend;

import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.Placement;
import io.powerai.core.stage.training.TrainingGpu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code backend: native}: the training script runs on the agent's own Python, with no container, for agents
 * that have no container runtime (a GPU host with the driver and a Python with torch, nothing more). The same
 * variables, outputs, log and metrics as in a container; what it cannot give is recorded instead: the
 * environment is not pinned (the interpreter and its packages are described by digest, not fixed), the project
 * is not mounted read-only and the network is the agent's.
 */
public final class NativeTraining extends AgentTraining {
    /** Prints the interpreter, its version, and a digest of its installed distributions ("name==version", sorted). */
    private static final String DESCRIBE = String.join("\n",
            "import sys, platform, hashlib",
            "try:",
            "    from importlib import metadata",
            "    names = sorted({(d.metadata['Name'] or '?').lower() + '==' + d.version for d in metadata.distributions()})",
            "except Exception:",
            "    names = []",
            "print(sys.executable)",
            "print(platform.python_version())",
            "print(len(names))",
            "print(hashlib.sha256('\\n'.join(names).encode()).hexdigest())");

    public NativeTraining(StageContext ctx) {
        super(ctx);
    }

    @Override
    Placement placement() {
        return Placement.HOST;
    }

    /** A native run has no image: it needs no snapshot, and records instead that its environment is not pinned. */
    @Override
    String image(String imageOverride) {
        return null;
    }

    @Override
    String imageToCheck(String image) {
        return null;
    }

    @Override
    TrainingResult.NativeEnvironment environment() {
        return describe(spec.python());
    }

    @Override
    Launch launch(String image, TrainingGpu.Plan gpu, Path outputs, TrainingResult.NativeEnvironment environment) {
        events.warning("backend native: " + spec.script() + " runs on " + environment.python() + " (Python "
                + environment.pythonVersion() + ") with no container; the environment is not pinned and the network is the agent's");
        Map<String, String> env = environment(spec, outputs, spec.data(), gpu.cudaVisibleDevices());
        Path projectDir = ctx.spec().projectDir();
        return new Launch() {
            @Override
            public String where() {
                return " natively";
            }

            @Override
            public String network() {
                return "";
            }

            @Override
            public ProcessRunner.Result run(Consumer<String> onLine) {
                return NativeTraining.run(spec, projectDir, env, spec.timeout(), onLine, ctx.cancellation());
            }
        };
    }

    /** What the result and audit record of the interpreter; exit 3 when it cannot be started or is not Python 3. */
    static TrainingResult.NativeEnvironment describe(String python) {
        ProcessRunner.Result result;
        try {
            result = new ProcessRunner().run(List.of(python, "-c", DESCRIBE), null, Duration.ofSeconds(60), line -> { });
        } catch (ProcessRunner.NotStarted e) {
            throw new PowerAiException.InfrastructureUnavailable(Stage.TRAIN.stepName() + ": 'python' is '" + python
                    + "', which cannot be started (" + e.getMessage() + "); install Python 3 on the agent or name its interpreter in 'python'");
        }
        List<String> lines = result.lines();
        if (result.exitCode() != 0 || lines.size() < 4) {
            throw new PowerAiException.InfrastructureUnavailable(Stage.TRAIN.stepName() + ": 'python' is '" + python
                    + "', which does not answer as Python 3 does (exit code " + result.exitCode() + ": " + result.lastLines(1) + ")");
        }
        int n = lines.size();
        return new TrainingResult.NativeEnvironment(TrainSpec.NATIVE, false, lines.get(n - 4).strip(), lines.get(n - 3).strip(),
                Integer.parseInt(lines.get(n - 2).strip()), lines.get(n - 1).strip());
    }

    /** {@code python script args}: the script relative to the working directory, or absolute when workdir moves it. */
    static List<String> command(TrainSpec spec, Path projectDir) {
        List<String> command = new ArrayList<>();
        command.add(spec.python());
        command.add(spec.workdir() == null ? spec.script() : projectDir.resolve(spec.script()).toAbsolutePath().toString());
        command.addAll(spec.args());
        return command;
    }

    static Path workDir(TrainSpec spec, Path projectDir) {
        return spec.workdir() == null ? projectDir : projectDir.resolve(spec.workdir());
    }

    /**
     * The variables the script gets on top of the agent's: the spec's, then powerai's own (which win), and
     * CUDA_VISIBLE_DEVICES naming the GPUs by UUID (empty: none, so a CPU run stays one).
     */
    static Map<String, String> environment(TrainSpec spec, Path outputs, Path data, List<String> cudaVisibleDevices) {
        Map<String, String> env = new TreeMap<>(spec.env());
        env.put("POWERAI_OUTPUTS", outputs.toAbsolutePath().toString());
        if (data != null) {
            env.put("POWERAI_DATA", data.toAbsolutePath().toString());
        }
        env.put("PYTHONUNBUFFERED", "1");
        if (cudaVisibleDevices != null) {
            env.put("CUDA_VISIBLE_DEVICES", String.join(",", cudaVisibleDevices));
            env.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        }
        return env;
    }

    private static ProcessRunner.Result run(TrainSpec spec, Path projectDir, Map<String, String> env, Duration timeout, Consumer<String> onLine,
                                    io.powerai.core.lifecycle.Cancellation cancellation) {
        try {
            return new ProcessRunner(env, cancellation).run(command(spec, projectDir), workDir(spec, projectDir), timeout, onLine);
        } catch (ProcessRunner.NotStarted e) {
            throw PowerAiException.InfrastructureUnavailable.bare("'python' is '" + spec.python()
                    + "', which cannot be started (" + e.getMessage() + ")");
        }
    }
}
