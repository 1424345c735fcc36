package io.powerai.core.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a container engine can hand GPUs to a container. Docker does it through the NVIDIA Container Toolkit
 * (the {@code nvidia} runtime that {@code nvidia-ctk runtime configure} registers, or the hook
 * {@code nvidia-container-runtime-hook} that {@code --gpus} calls); podman through CDI specs naming
 * {@code nvidia.com/gpu} devices ({@code nvidia-ctk cdi generate}).
 */
public final class ContainerGpuRuntime {
    public static final String CDI_KIND = "nvidia.com/gpu";
    public static final List<Path> DEFAULT_CDI_DIRS = List.of(Path.of("/etc/cdi"), Path.of("/var/run/cdi"));
    private static final ObjectMapper YAML = new YAMLMapper();

    /**
     * @param available whether GPUs can reach a container
     * @param how what showed it ("docker runtime 'nvidia'", "CDI spec /etc/cdi/nvidia.yaml"), or null
     * @param problem why not, with the fix, or null
     * @param cdiDevices the nvidia.com/gpu device names the CDI specs define (podman), else empty
     */
    public record Check(boolean available, String how, String problem, Set<String> cdiDevices) {
        public Check {
            cdiDevices = Set.copyOf(cdiDevices);
        }
    }

    private ContainerGpuRuntime() {
    }

    /**
     * Docker, from {@code docker info --format '{{json .Runtimes}}'} ({@code runtimesJson}, null where that call
     * failed, with {@code failure} saying how) and the agent's PATH.
     */
    public static Check docker(String runtimesJson, String failure, String pathVariable) {
        Set<String> runtimes = new TreeSet<>();
        if (runtimesJson != null) {
            try {
                JsonNode node = new ObjectMapper().readTree(runtimesJson.strip());
                if (node != null && node.isObject()) {
                    node.fieldNames().forEachRemaining(runtimes::add);
                }
            } catch (IOException e) {
                failure = "docker info answered '" + runtimesJson.strip() + "'";
                runtimesJson = null;
            }
        }
        if (runtimes.contains("nvidia")) {
            return new Check(true, "docker runtime 'nvidia'", null, Set.of());
        }
        // --gpus does not need the runtime registered: dockerd calls the toolkit's hook when it finds it on its PATH.
        for (String hook : List.of("nvidia-container-runtime-hook", "nvidia-container-toolkit")) {
            if (onPath(hook, pathVariable)) {
                return new Check(true, hook + " on the PATH", null, Set.of());
            }
        }
        String seen = runtimesJson == null ? (failure == null ? "docker info failed" : failure)
                : "docker info lists the runtimes " + (runtimes.isEmpty() ? "(none)" : String.join(", ", runtimes));
        return new Check(false, null, "docker has no NVIDIA runtime (" + seen + "); install the NVIDIA Container Toolkit and run "
                + "'sudo nvidia-ctk runtime configure --runtime=docker' and restart docker", Set.of());
    }

    /** Podman, from the CDI specs in {@code cdiDirs}. */
    public static Check podman(List<Path> cdiDirs) {
        Set<String> devices = new TreeSet<>();
        List<String> specs = new ArrayList<>();
        for (Path dir : cdiDirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{yaml,yml,json}")) {
                for (Path file : files) {
                    Set<String> names = cdiDeviceNames(Files.readString(file));
                    if (!names.isEmpty()) {
                        devices.addAll(names);
                        specs.add(file.toString());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable spec is one podman cannot use either
            }
        }
        if (devices.isEmpty()) {
            return new Check(false, null, "podman finds no CDI spec for " + CDI_KIND + " in "
                    + String.join(", ", cdiDirs.stream().map(Path::toString).toList())
                    + "; generate one with 'sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml'", Set.of());
        }
        return new Check(true, "CDI spec " + String.join(", ", specs), null, devices);
    }

    /** The device names of the {@value #CDI_KIND} kind in one CDI spec (YAML or JSON); empty for any other spec. */
    public static Set<String> cdiDeviceNames(String spec) {
        Set<String> names = new TreeSet<>();
        JsonNode root;
        try {
            root = YAML.readTree(spec);
        } catch (IOException e) {
            return names;
        }
        if (root == null || !CDI_KIND.equals(root.path("kind").asText())) {
            return names;
        }
        for (Iterator<JsonNode> it = root.path("devices").elements(); it.hasNext(); ) {
            String name = it.next().path("name").asText("");
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    private static boolean onPath(String program, String pathVariable) {
        if (pathVariable == null) {
            return false;
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
