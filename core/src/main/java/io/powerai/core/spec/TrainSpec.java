package io.powerai.core.spec;

import io.powerai.core.gpurequest.FreeMemoryRule;
import io.powerai.core.gpurequest.GpuPolicy;
import io.powerai.core.gpurequest.GpuRequest;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code train} section: which script runs in the snapshot image (or, with {@code backend: native}, on the
 * agent's own Python; with {@code backend: kubernetes}, as a Job on a cluster), on what, with which resources, and
 * what the GPU preflight asks of the host. A key that only one backend reads is an error with the others.
 *
 * @param kubernetes the pod's settings with {@code backend: kubernetes}; {@link TrainingPodSettings#none()} otherwise
 */
public record TrainSpec(
        String script,
        List<String> args,
        Path data,
        String gpus,
        String network,
        Duration timeout,
        SortedMap<String, String> env,
        String backend,
        String python,
        String cuda,
        GpuPolicy gpuPolicy,
        FreeMemoryRule gpuMinFreeMemory,
        boolean gpuAllowShared,
        String shmSize,
        SortedMap<String, String> ulimits,
        String workdir,
        TrainingPodSettings kubernetes) {

    public static final Set<String> KEYS = keys();
    /** The keys of the GPU preflight, which asks nvidia-smi on the agent: they mean nothing to a Kubernetes Job. */
    static final List<String> PREFLIGHT_KEYS = List.of("cuda", "gpu_policy", "gpu_min_free_memory", "gpu_allow_shared");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);
    public static final String CONTAINER = "container";
    public static final String NATIVE = "native";
    public static final String KUBERNETES = "kubernetes";
    public static final String DEFAULT_PYTHON = "python3";
    /** The limits docker and podman take with --ulimit. */
    public static final Set<String> ULIMITS = Set.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
            "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");
    private static final Pattern ULIMIT_VALUE = Pattern.compile("-1|[0-9]{1,19}(:(-1|[0-9]{1,19}))?");
    private static final Pattern PERCENT = Pattern.compile("([0-9]{1,3}(?:\\.[0-9]+)?)%");

    public TrainSpec {
        args = List.copyOf(args);
        ulimits = ulimits == null ? new TreeMap<>() : new TreeMap<>(ulimits);
        kubernetes = kubernetes == null ? TrainingPodSettings.none() : kubernetes;
    }

    private static Set<String> keys() {
        Set<String> keys = new java.util.HashSet<>(Set.of("script", "args", "data", "gpus", "network", "timeout", "env",
                "backend", "python", "cuda", "gpu_policy", "gpu_min_free_memory", "gpu_allow_shared", "shm_size", "ulimits", "workdir"));
        keys.addAll(TrainingPodSettings.KEYS);
        return Set.copyOf(keys);
    }

    /** Whether the run asks for GPUs at all; only then do GPU flags reach the engine, and the preflight run. */
    public boolean wantsGpus() {
        return gpus != null && !gpus.equals("0");
    }

    /** The {@code gpus} key, typed. */
    public GpuRequest gpuRequest() {
        return GpuRequest.parse(gpus);
    }

    /** One variable's value at most: the kernel refuses a variable over 128 KiB in the process it starts. */
    public static final int MAX_ENV_VALUE_CHARS = 64 * 1024;

    /**
     * {@code env}: each value one line (the variables reach the container through an env file, one a line) of at most
     * {@value #MAX_ENV_VALUE_CHARS} characters; larger values belong in a file under {@code data}.
     */
    private static SortedMap<String, String> containerEnvironment(Section s) {
        SortedMap<String, String> env = s.environment("env");
        env.entrySet().removeIf(e -> {
            String value = e.getValue();
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
                s.problem("env." + e.getKey(), value, "must be a single line (variables reach the container through an env file)");
                return true;
            }
            if (value.length() > MAX_ENV_VALUE_CHARS) {
                s.problem("env." + e.getKey(), "a value of " + value.length() + " characters", "must be at most " + MAX_ENV_VALUE_CHARS
                        + " characters (the kernel refuses a variable over 128 KiB); put larger values in a file under 'data'");
                return true;
            }
            return false;
        });
        return env;
    }

    /** Whether the script runs on the agent's own Python, with no container (the environment is not pinned). */
    public boolean nativeBackend() {
        return NATIVE.equals(backend);
    }

    /** Whether the script runs as a Kubernetes Job (a pod on the cluster, not on the agent). */
    public boolean kubernetesBackend() {
        return KUBERNETES.equals(backend);
    }

    static TrainSpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        Path script = s.pathInside("script", true, projectDir, false);
        String gpus = "0";
        Object rawGpus = s.raw("gpus");
        if (rawGpus != null) {
            gpus = GpuRequest.canonical(rawGpus).orElse(null);
            if (gpus == null) {
                s.problem("gpus", rawGpus, "must be a count of GPUs (0 for none) or 'all', or the devices to use: "
                        + "indexes or UUIDs as '0,1', 'device=1', 'GPU-<uuid>' or a list [0, 1]");
                gpus = "0";
            }
        }
        String network = "none";
        if (s.has("network")) {
            network = s.matching("network", false, Pattern.compile("none|host"),
                    "must be 'none' (no network during training, the reproducible default) or 'host'");
        }
        String backend = CONTAINER;
        if (s.has("backend")) {
            backend = s.matching("backend", false, Pattern.compile("container|native|kubernetes"),
                    "must be 'container' (the snapshot image on this agent, the default), 'native' (the agent's own Python, "
                            + "not pinned) or 'kubernetes' (the snapshot image as a Job on a cluster)");
        }
        boolean nativeMode = NATIVE.equals(backend);
        boolean kubernetesMode = KUBERNETES.equals(backend);
        String python = DEFAULT_PYTHON;
        if (s.has("python")) {
            python = s.matching("python", false, Pattern.compile("\\S+"), "must be a Python interpreter: a command or a path, without spaces");
            if (python != null && !nativeMode) {
                s.problem("python", python, "applies only to backend 'native' (a container runs the image's python3)");
            }
        }
        String shmSize = null;
        if (s.has("shm_size")) {
            try {
                shmSize = MemorySizes.engineForm(MemorySizes.bytes(s.raw("shm_size")));
            } catch (IllegalArgumentException e) {
                s.problem("shm_size", s.raw("shm_size"), e.getMessage());
            }
            if (nativeMode) {
                s.problem("shm_size", s.raw("shm_size"), "applies only to backends 'container' and 'kubernetes' "
                        + "(a native run has the host's /dev/shm)");
            }
        }
        SortedMap<String, String> ulimits = ulimits(s);
        if (nativeMode && !ulimits.isEmpty()) {
            s.problem("ulimits", s.raw("ulimits"), "applies only to backend 'container' (a native run has the agent's limits)");
        }
        if (kubernetesMode && s.has("ulimits")) {
            s.problem("ulimits", s.raw("ulimits"), "applies only to backend 'container' (a pod cannot set its limits: the "
                    + "node's container runtime does)");
        }
        if (kubernetesMode && s.has("network")) {
            s.problem("network", s.raw("network"), "applies only to backends 'container' and 'native' (a pod is on the "
                    + "cluster's network: restrict it with a NetworkPolicy)");
        }
        TrainingPodSettings kubernetes = null;
        if (kubernetesMode) {
            for (String key : PREFLIGHT_KEYS) {
                if (s.has(key)) {
                    s.problem(key, s.raw(key), "applies only to backends 'container' and 'native' (the GPU preflight asks "
                            + "nvidia-smi on the agent; on Kubernetes the scheduler gives the pod whole GPUs of a node)");
                }
            }
            if (gpus != null && !GpuRequest.COUNT.matcher(gpus).matches()) {
                s.problem("gpus", gpus, "must be a count of GPUs on Kubernetes (a pod asks for a number of nvidia.com/gpu; "
                        + "the device plugin picks the devices)");
            }
            kubernetes = TrainingPodSettings.from(s);
            if (kubernetes.dataClaim() != null && s.has("data")) {
                s.problem("data_claim", kubernetes.dataClaim(), "cannot be combined with 'data' (both would be the data "
                        + "folder); keep one");
            }
        } else {
            for (String key : new java.util.TreeSet<>(TrainingPodSettings.KEYS)) {
                if (s.has(key)) {
                    s.problem(key, s.raw(key), "applies only to backend 'kubernetes' (it describes the training's pod)");
                }
            }
        }
        String gpuPolicy = "require";
        if (s.has("gpu_policy")) {
            gpuPolicy = s.matching("gpu_policy", false, Pattern.compile("require|prefer|none"),
                    "must be 'require' (stop when the GPUs are not usable, exit 3), 'prefer' (warn and train on the CPU) "
                            + "or 'none' (no preflight)");
        }
        String workdir = null;
        if (s.has("workdir")) {
            Path dir = s.pathInside("workdir", false, projectDir, true);
            workdir = dir == null ? null : projectDir.relativize(dir).toString().replace('\\', '/');
            if (workdir != null && workdir.isEmpty()) {
                workdir = null;
            }
        }
        return new TrainSpec(
                script == null ? null : projectDir.relativize(script).toString().replace('\\', '/'),
                s.stringList("args"),
                s.pathInside("data", false, projectDir, true),
                gpus,
                network,
                s.duration("timeout", DEFAULT_TIMEOUT),
                containerEnvironment(s),
                backend == null ? CONTAINER : backend,
                python == null ? DEFAULT_PYTHON : python,
                cuda(s),
                GpuPolicy.parse(gpuPolicy == null ? "require" : gpuPolicy).orElse(GpuPolicy.REQUIRE),
                freeMemory(s),
                s.bool("gpu_allow_shared", false),
                shmSize,
                ulimits,
                workdir,
                kubernetes);
    }

    private static String cuda(Section s) {
        Object raw = s.raw("cuda");
        if (raw == null) {
            return null;
        }
        // YAML reads an unquoted 12.4 as a number; its text is what the user meant.
        String text = raw instanceof Double || raw instanceof BigDecimal ? new BigDecimal(String.valueOf(raw)).toPlainString()
                : raw instanceof String str ? str.strip() : null;
        if (text == null || !io.powerai.core.gpurequest.CudaCompatibility.CUDA_VERSION.matcher(text).matches()) {
            s.problem("cuda", raw, "must be the CUDA version the image was built for, major.minor[.update], e.g. '12.4' or '12.4.1'");
            return null;
        }
        return text;
    }

    private static FreeMemoryRule freeMemory(Section s) {
        Object raw = s.raw("gpu_min_free_memory");
        if (raw == null) {
            return FreeMemoryRule.DEFAULT;
        }
        String rule = "must be a share of each GPU's memory such as '90%', or an amount such as '20GiB' or '8192m'";
        if (raw instanceof String text) {
            java.util.regex.Matcher m = PERCENT.matcher(text.strip());
            if (m.matches()) {
                double percent = Double.parseDouble(m.group(1));
                if (percent <= 100) {
                    return FreeMemoryRule.percent(percent);
                }
                s.problem("gpu_min_free_memory", raw, rule + " (at most 100%)");
                return FreeMemoryRule.DEFAULT;
            }
        }
        try {
            long bytes = MemorySizes.bytes(raw instanceof Integer ? raw + "m" : raw); // a bare number is MiB here, as nvidia-smi counts
            return FreeMemoryRule.mebibytes(Math.max(1, bytes >> 20));
        } catch (IllegalArgumentException e) {
            s.problem("gpu_min_free_memory", raw, rule);
            return FreeMemoryRule.DEFAULT;
        }
    }

    private static SortedMap<String, String> ulimits(Section s) {
        SortedMap<String, String> out = new TreeMap<>();
        Object raw = s.raw("ulimits");
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            s.problem("ulimits", raw, "must be a map of limit names to values, e.g. {memlock: -1, stack: 67108864, nofile: '1024:4096'}");
            return out;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object value = e.getValue();
            if (!ULIMITS.contains(name)) {
                s.problem("ulimits." + name, name, "must be one of " + String.join(", ", new java.util.TreeSet<>(ULIMITS)));
            } else if ((value instanceof Integer || value instanceof Long || value instanceof String)
                    && ULIMIT_VALUE.matcher(String.valueOf(value).strip()).matches()) {
                out.put(name, String.valueOf(value).strip());
            } else {
                s.problem("ulimits." + name, value, "must be a number (-1 for unlimited) or 'soft:hard'");
            }
        }
        return out;
    }
}
