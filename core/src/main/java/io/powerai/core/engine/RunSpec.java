package io.powerai.core.engine;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One container run, described independently of the engine.
 *
 * @param name container name, or null for an anonymous run
 * @param network engine network mode ("none", "host"); null for the engine's default
 * @param user "uid:gid" so that files written to mounts belong to the agent's user; null for the image's
 * @param gpus null or "0" for none, a count, or "all"
 * @param detached run in the background (services) instead of waiting for the command to end
 * @param shmSize size of /dev/shm in the engine's form ("2g"); null for the engine's default (64m)
 * @param ulimits limits by name ("memlock" -> "-1", "nofile" -> "1024:4096"); empty for the engine's defaults
 */
public record RunSpec(
        String image,
        String name,
        List<Mount> mounts,
        SortedMap<String, String> env,
        String network,
        String workDir,
        String user,
        String gpus,
        SortedMap<String, String> labels,
        boolean detached,
        List<String> command,
        String shmSize,
        SortedMap<String, String> ulimits) {

    public RunSpec {
        mounts = List.copyOf(mounts);
        env = new TreeMap<>(env);
        labels = new TreeMap<>(labels);
        command = List.copyOf(command);
        ulimits = ulimits == null ? new TreeMap<>() : new TreeMap<>(ulimits);
    }

    public static RunSpec of(String image, List<String> command) {
        return new RunSpec(image, null, List.of(), new TreeMap<>(), null, null, null, null, new TreeMap<>(), false, command, null, new TreeMap<>());
    }

    public RunSpec withName(String value) {
        return new RunSpec(image, value, mounts, env, network, workDir, user, gpus, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withMounts(List<Mount> value) {
        return new RunSpec(image, name, value, env, network, workDir, user, gpus, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withEnv(Map<String, String> value) {
        return new RunSpec(image, name, mounts, new TreeMap<>(value), network, workDir, user, gpus, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withNetwork(String value) {
        return new RunSpec(image, name, mounts, env, value, workDir, user, gpus, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withWorkDir(String value) {
        return new RunSpec(image, name, mounts, env, network, value, user, gpus, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withUser(String value) {
        return new RunSpec(image, name, mounts, env, network, workDir, value, gpus, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withGpus(String value) {
        return new RunSpec(image, name, mounts, env, network, workDir, user, value, labels, detached, command, shmSize, ulimits);
    }

    public RunSpec withLabels(Map<String, String> value) {
        return new RunSpec(image, name, mounts, env, network, workDir, user, gpus, new TreeMap<>(value), detached, command, shmSize, ulimits);
    }

    public RunSpec withShmSize(String value) {
        return new RunSpec(image, name, mounts, env, network, workDir, user, gpus, labels, detached, command, value, ulimits);
    }

    public RunSpec withUlimits(Map<String, String> value) {
        return new RunSpec(image, name, mounts, env, network, workDir, user, gpus, labels, detached, command, shmSize, new TreeMap<>(value));
    }

    public RunSpec inBackground() {
        return new RunSpec(image, name, mounts, env, network, workDir, user, gpus, labels, true, command, shmSize, ulimits);
    }
}
