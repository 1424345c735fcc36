package io.powerai.core.spec;


import java.math.BigDecimal;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code deploy} keys of target {@code aks}, named as Azure ML's {@code AksWebservice.deploy_configuration}
 * names them so that its users recognise them. Quantities are held as Kubernetes needs them: CPU in millicores,
 * memory in MiB (memory_gb is read as GiB), GPUs as a whole count. Defaults are AML's where they make sense on
 * a plain cluster; docs/pipeline-file.md lists each one and why. A plain record: opening the cluster it names is
 * the deploy target's business ({@code AksDeployment.Connector}).
 */
public record AksSettings(
        String namespace,
        int cpuMillis,
        int memoryMi,
        int gpus,
        Integer cpuLimitMillis,
        Integer memoryLimitMi,
        Integer numReplicas,
        boolean autoscaleEnabled,
        int autoscaleMinReplicas,
        int autoscaleMaxReplicas,
        int autoscaleTargetUtilization,
        boolean authEnabled,
        Integer scoringTimeoutMs,
        int periodSeconds,
        int initialDelaySeconds,
        int timeoutSeconds,
        int failureThreshold,
        Integer trafficPercent,
        String serviceType,
        String resourceGroup,
        String clusterName,
        Duration rolloutTimeout,
        Integer metricsPort,
        boolean serviceMonitor) {

    public static final Set<String> KEYS = Set.of("namespace", "cpu_cores", "memory_gb", "gpu_cores", "cpu_cores_limit",
            "memory_gb_limit", "num_replicas", "autoscale_enabled", "autoscale_min_replicas", "autoscale_max_replicas",
            "autoscale_target_utilization", "auth_enabled", "scoring_timeout_ms", "period_seconds", "initial_delay_seconds",
            "timeout_seconds", "failure_threshold", "traffic_percent", "service_type", "resource_group", "cluster_name", "metrics_port", "service_monitor");

    public static final String DEFAULT_NAMESPACE = "default";
    public static final BigDecimal DEFAULT_CPU_CORES = new BigDecimal("0.1");
    public static final BigDecimal DEFAULT_MEMORY_GB = new BigDecimal("0.5");
    public static final int DEFAULT_AUTOSCALE_MIN = 1;
    public static final int DEFAULT_AUTOSCALE_MAX = 10;
    public static final int DEFAULT_TARGET_UTILIZATION = 70;
    public static final int DEFAULT_SCORING_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_PERIOD_SECONDS = 10;
    /** AML's value. Here it bounds a startup probe (how long init() may take), so it delays nothing when init() is quick. */
    public static final int DEFAULT_INITIAL_DELAY_SECONDS = 310;
    public static final int DEFAULT_TIMEOUT_SECONDS = 2;
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final Duration DEFAULT_ROLLOUT_TIMEOUT = Duration.ofMinutes(10);
    /** The port the scoring server listens on in a pod (the image's default). */
    public static final int SERVER_PORT = 5001;
    /** The scoring server's metrics port in a pod when metrics_port is not set (Prometheus exporters' usual range). */
    public static final int DEFAULT_POD_METRICS_PORT = 9090;

    // Azure's own rules for resource group and AKS cluster names.
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w._()]{0,89}[-\\w_()]");
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9](?:[-A-Za-z0-9_]{0,61}[A-Za-z0-9])?");

    /**
     * Reads the keys from the section, recording every problem there. {@code readyTimeout} is the section's
     * {@code ready_timeout} when it was given (it bounds the rollout), else null.
     */
    public static AksSettings from(Section s, Duration readyTimeout) {
        String namespace = s.has("namespace")
                ? s.matching("namespace", false, KubeNames.RFC1123_LABEL, KubeNames.RFC1123_LABEL_RULE)
                : DEFAULT_NAMESPACE;
        Integer cpu = ComputeQuantities.millicores(s, "cpu_cores", DEFAULT_CPU_CORES);
        Integer memory = ComputeQuantities.mebibytes(s, "memory_gb", DEFAULT_MEMORY_GB);
        Integer cpuLimit = s.has("cpu_cores_limit") ? ComputeQuantities.millicores(s, "cpu_cores_limit", null) : null;
        Integer memoryLimit = s.has("memory_gb_limit") ? ComputeQuantities.mebibytes(s, "memory_gb_limit", null) : null;
        if (cpu != null && cpuLimit != null && cpuLimit < cpu) {
            s.problem("cpu_cores_limit", s.raw("cpu_cores_limit"), "must be at least cpu_cores (" + plain(s.raw("cpu_cores"), DEFAULT_CPU_CORES) + ")");
        }
        if (memory != null && memoryLimit != null && memoryLimit < memory) {
            s.problem("memory_gb_limit", s.raw("memory_gb_limit"), "must be at least memory_gb (" + plain(s.raw("memory_gb"), DEFAULT_MEMORY_GB) + ")");
        }
        int gpus = s.has("gpu_cores") && !(s.raw("gpu_cores") instanceof Integer)
                ? wholeGpus(s) : s.integer("gpu_cores", 0, 0, 16);

        Integer replicas = s.has("num_replicas") ? s.integer("num_replicas", 1, 1, 1000) : null;
        Boolean autoscale = bool(s, "autoscale_enabled");
        if (Boolean.TRUE.equals(autoscale) && s.has("num_replicas")) {
            s.problem("num_replicas", s.raw("num_replicas"), "cannot be combined with autoscale_enabled: true "
                    + "(the autoscaler sets the number of replicas); remove one of them");
        }
        boolean autoscaleEnabled = autoscale != null ? autoscale : !s.has("num_replicas");
        int min = s.integer("autoscale_min_replicas", DEFAULT_AUTOSCALE_MIN, 1, 1000);
        int max = s.integer("autoscale_max_replicas", DEFAULT_AUTOSCALE_MAX, 1, 1000);
        if (min > max) {
            s.problem("autoscale_max_replicas", max, "must be at least autoscale_min_replicas (" + min + ")");
        }
        int target = s.integer("autoscale_target_utilization", DEFAULT_TARGET_UTILIZATION, 1, 100);
        Boolean auth = bool(s, "auth_enabled");
        // Unset, the image's own setting (scoringImage bakes score.scoring_timeout_ms into it) stays in force.
        Integer scoringTimeout = s.has("scoring_timeout_ms") ? s.integer("scoring_timeout_ms", DEFAULT_SCORING_TIMEOUT_MS, 100, 3_600_000) : null;
        int period = s.integer("period_seconds", DEFAULT_PERIOD_SECONDS, 1, 3600);
        int initialDelay = s.integer("initial_delay_seconds", DEFAULT_INITIAL_DELAY_SECONDS, 0, 3600);
        int timeout = s.integer("timeout_seconds", DEFAULT_TIMEOUT_SECONDS, 1, 3600);
        int failures = s.integer("failure_threshold", DEFAULT_FAILURE_THRESHOLD, 1, 100);
        Integer traffic = s.has("traffic_percent") ? s.integer("traffic_percent", 100, 1, 100) : null;
        String serviceType = s.has("service_type")
                ? s.matching("service_type", false, Pattern.compile("ClusterIP|LoadBalancer"), "must be 'ClusterIP' or 'LoadBalancer'")
                : "ClusterIP";
        String resourceGroup = s.has("resource_group") ? s.matching("resource_group", false, RESOURCE_GROUP,
                "must be an Azure resource group name (1-90 letters, digits, '_', '-', '.', '(', ')', not ending in '.')") : null;
        String clusterName = s.has("cluster_name") ? s.matching("cluster_name", false, CLUSTER_NAME,
                "must be an AKS cluster name (1-63 letters, digits, '-', '_', starting and ending with a letter or digit)") : null;
        Integer metricsPort = s.has("metrics_port") ? s.integer("metrics_port", DEFAULT_POD_METRICS_PORT, 1024, 65535) : null;
        if (metricsPort != null && metricsPort == SERVER_PORT) {
            s.problem("metrics_port", metricsPort, "must differ from the scoring server's port in the pod (" + SERVER_PORT + ")");
        }
        Boolean serviceMonitor = bool(s, "service_monitor");
        if (s.has("resource_group") != s.has("cluster_name")) {
            String missing = s.has("resource_group") ? "cluster_name" : "resource_group";
            String given = s.has("resource_group") ? "resource_group" : "cluster_name";
            s.problem(given, s.raw(given), "needs '" + missing + "' too (both name the AKS cluster for az aks get-credentials)");
        }
        return new AksSettings(namespace, cpu == null ? 100 : cpu, memory == null ? 512 : memory, gpus, cpuLimit, memoryLimit,
                replicas, autoscaleEnabled, min, max, target, auth == null || auth, scoringTimeout, period, initialDelay, timeout,
                failures, traffic, serviceType, resourceGroup, clusterName,
                readyTimeout != null ? readyTimeout : DEFAULT_ROLLOUT_TIMEOUT, metricsPort, Boolean.TRUE.equals(serviceMonitor));
    }

    /** The port the scoring server serves GET /metrics on in a pod: metrics_port, else {@link #DEFAULT_POD_METRICS_PORT}. */
    public int podMetricsPort() {
        return metricsPort != null ? metricsPort : DEFAULT_POD_METRICS_PORT;
    }

    /** Replicas that serve once the version is live: the fixed count, or the autoscaler's minimum to start from. */
    public int servingReplicas() {
        return numReplicas != null ? numReplicas : autoscaleMinReplicas;
    }

    /** Whether az aks get-credentials fetches the kubeconfig (else KUBECONFIG names it). */
    public boolean usesAzureCli() {
        return resourceGroup != null && clusterName != null;
    }

    private static int wholeGpus(Section s) {
        s.problem("gpu_cores", s.raw("gpu_cores"), "must be a whole number from 0 to 16 (Kubernetes schedules whole GPUs)");
        return 0;
    }

    private static Boolean bool(Section s, String key) {
        Object value = s.raw(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        s.problem(key, value, "must be true or false");
        return null;
    }

    private static String plain(Object given, BigDecimal defaultValue) {
        return given instanceof Number n ? new BigDecimal(n.toString()).toPlainString() : defaultValue.toPlainString();
    }
}
