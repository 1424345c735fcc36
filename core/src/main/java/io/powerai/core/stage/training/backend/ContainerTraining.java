package io.powerai.core.stage.training.backend;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.engine.Mount;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.Containers;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.training.Placement;
import io.powerai.core.stage.training.TrainingGpu;
import io.powerai.core.stage.training.TrainingOutcome;
import io.powerai.core.stage.training.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

import static io.powerai.core.stage.training.TrainingRun.DATA;
import static io.powerai.core.stage.training.TrainingRun.OUTPUTS;
import static io.powerai.core.stage.training.TrainingRun.PROJECT;

/**
 * {@code backend: container}, the default: the script runs in the snapshot image on this agent's engine, the project
 * mounted read-only at {@value TrainingRun#PROJECT}, the data read-only at {@value TrainingRun#DATA}, and only
 * {@value TrainingRun#OUTPUTS} writable, on the network the spec names (none by default).
 */
public final class ContainerTraining extends AgentTraining {
    public ContainerTraining(StageContext ctx) {
        super(ctx);
    }

    @Override
    Placement placement() {
        return Placement.CONTAINER;
    }

    @Override
    String image(String imageOverride) {
        return TrainingRun.imageOf(ctx, imageOverride);
    }

    @Override
    String imageToCheck(String image) {
        return image;
    }

    @Override
    Launch launch(String image, TrainingGpu.Plan gpu, Path outputs, TrainingResult.NativeEnvironment environment) {
        RunSpec run = runSpec(spec, image, ctx.spec().projectDir(), outputs, Containers.jobName(ctx, "train"), ownerOf(outputs),
                gpu.engineGpus()).withLabels(Containers.labels(ctx, STAGE, Containers.JOB));
        return new Launch() {
            @Override
            public String where() {
                return " in " + image;
            }

            @Override
            public String network() {
                return ", network " + spec.network();
            }

            @Override
            public ProcessRunner.Result run(Consumer<String> onLine) {
                return ctx.engine().run(run, spec.timeout(), onLine);
            }

            @Override
            public void requireStarted(ProcessRunner.Result result, TrainingGpu.Plan plan) {
                if (result.exitCode() != ContainerEngine.ENGINE_ERROR || result.timedOut()) {
                    return;
                }
                // The engine itself refused (image missing, bad mount): no training ran, so nothing is recorded.
                if (plan.usesGpus() && TrainingOutcome.gpuSetupFailed(result.output())) {
                    throw PowerAiException.InfrastructureUnavailable.bare("the container engine could not give the "
                            + "container its GPUs: " + result.lastLines(1) + " (is the NVIDIA Container Toolkit installed and configured?)");
                }
                throw PowerAiException.StageFailed.bare("the container engine could not start the training: "
                        + result.lastLines(1));
            }
        };
    }

    /** The container run for {@code spec}: pure, so the mounts and flags are tested without an engine. */
    public static RunSpec runSpec(TrainSpec spec, String image, Path projectDir, Path outputs, String containerName, String user) {
        return runSpec(spec, image, projectDir, outputs, containerName, user, spec.wantsGpus() ? spec.gpus() : null);
    }

    /** As above, with the GPUs the preflight chose ({@code gpus}: "all", "device=0,1", a count; null for none). */
    public static RunSpec runSpec(TrainSpec spec, String image, Path projectDir, Path outputs, String containerName, String user,
                                  String gpus) {
        List<Mount> mounts = new ArrayList<>();
        mounts.add(new Mount(projectDir, PROJECT, true));
        if (spec.data() != null) {
            mounts.add(new Mount(spec.data(), DATA, true));
        }
        mounts.add(new Mount(outputs, OUTPUTS, false));
        return RunSpec.of(image, command(spec))
                .withName(containerName)
                .withMounts(mounts)
                .withEnv(environment(spec))
                .withNetwork(spec.network())
                .withWorkDir(workDir(spec))
                .withUser(user)
                .withGpus(gpus)
                .withShmSize(spec.shmSize())
                .withUlimits(spec.ulimits())
                .withLabels(Map.of("io.powerai.managed", "true", "io.powerai.stage", STAGE.stepName()));
    }

    /** The variables of the script in the image (a container or a pod): the spec's, then powerai's own, which win. */
    static SortedMap<String, String> environment(TrainSpec spec) {
        SortedMap<String, String> env = new TreeMap<>(spec.env());
        env.put("POWERAI_OUTPUTS", OUTPUTS);
        env.put("POWERAI_DATA", DATA);
        env.put("PYTHONUNBUFFERED", "1");
        env.put("HOME", "/tmp");
        return env;
    }

    /** {@code python3 SCRIPT ARGS...}: with a workdir the script is named from the project's root, wherever the run starts. */
    static List<String> command(TrainSpec spec) {
        List<String> command = new ArrayList<>(List.of("python3", spec.workdir() == null ? spec.script() : PROJECT + "/" + spec.script()));
        command.addAll(spec.args());
        return command;
    }

    static String workDir(TrainSpec spec) {
        return spec.workdir() == null ? PROJECT : PROJECT + "/" + spec.workdir();
    }

    /** "uid:gid" of the outputs folder, so files the container writes belong to whoever runs the stage. */
    private static String ownerOf(Path dir) {
        try {
            Object uid = Files.getAttribute(dir, "unix:uid");
            Object gid = Files.getAttribute(dir, "unix:gid");
            return uid + ":" + gid;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
