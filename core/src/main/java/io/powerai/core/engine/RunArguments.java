package io.powerai.core.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code docker run} or {@code podman run} command line of a {@link RunSpec}: the same for both engines but for GPUs. */
final class RunArguments {
    private RunArguments() {
    }

    /**
     * The engine's arguments for {@code spec}: pure, so the rendering is tested without an engine. The variables
     * travel in {@code envFile} ({@link EnvFile}), never as arguments, which every user of the machine can read
     * (and which the kernel limits to 128 KiB each); null when {@code spec} has none.
     */
    static List<String> of(ContainerEngine.Kind kind, String binary, RunSpec spec, Path envFile) {
        if (envFile == null && !spec.env().isEmpty()) {
            throw new IllegalArgumentException("the variables of " + spec.image() + " need an env file");
        }
        List<String> args = new ArrayList<>(List.of(binary, "run"));
        args.add(spec.detached() ? "-d" : "--rm");
        if (spec.name() != null) {
            args.addAll(List.of("--name", spec.name()));
        }
        if (spec.network() != null) {
            args.addAll(List.of("--network", spec.network()));
        }
        if (spec.user() != null) {
            args.addAll(List.of("--user", spec.user()));
        }
        if (spec.workDir() != null) {
            args.addAll(List.of("--workdir", spec.workDir()));
        }
        for (Mount mount : spec.mounts()) {
            args.addAll(List.of("--volume", mount.toVolumeArgument()));
        }
        if (envFile != null) {
            args.addAll(List.of("--env-file", envFile.toAbsolutePath().toString()));
        }
        for (Map.Entry<String, String> e : spec.labels().entrySet()) {
            args.addAll(List.of("--label", e.getKey() + "=" + e.getValue()));
        }
        if (spec.shmSize() != null) {
            args.addAll(List.of("--shm-size", spec.shmSize()));
        }
        for (Map.Entry<String, String> e : spec.ulimits().entrySet()) {
            args.addAll(List.of("--ulimit", e.getKey() + "=" + e.getValue()));
        }
        if (spec.gpus() != null && !spec.gpus().equals("0")) {
            args.addAll(gpuArguments(kind, spec.gpus()));
        }
        args.add(spec.image());
        args.addAll(spec.command());
        return args;
    }

    private static List<String> gpuArguments(ContainerEngine.Kind kind, String gpus) {
        if (gpus.startsWith(ContainerEngine.DEVICES)) {
            List<String> ids = List.of(gpus.substring(ContainerEngine.DEVICES.length()).split(","));
            if (kind == ContainerEngine.Kind.DOCKER) {
                // docker reads --gpus as CSV: a device list holds commas, so it travels quoted ('"device=0,1"').
                return List.of("--gpus", "\"" + gpus + "\"");
            }
            List<String> args = new ArrayList<>();
            for (String id : ids) {
                args.addAll(List.of("--device", "nvidia.com/gpu=" + id));
            }
            return args;
        }
        if (kind == ContainerEngine.Kind.DOCKER) {
            return List.of("--gpus", gpus);
        }
        // podman reaches GPUs through CDI device names, one per GPU.
        if (gpus.equals("all")) {
            return List.of("--device", "nvidia.com/gpu=all");
        }
        List<String> args = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(gpus); i++) {
            args.addAll(List.of("--device", "nvidia.com/gpu=" + i));
        }
        return args;
    }
}
