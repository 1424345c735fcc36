package io.powerai.core.spec;


import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code train} keys of {@code backend: kubernetes}: where the training pod runs and with what. CPU and
 * memory are named as Azure ML names them ({@code cpu_cores}, {@code memory_gb}, as in the deploy section).
 *
 * @param tolerations     the pod's tolerations; null for the defaults (GPU node-pool taints when GPUs are asked for)
 * @param cpuMillis       the CPU request (no limit: a training may use idle cores); null for none (a pod template
 *                        of another backend)
 * @param memoryMi        the memory request and limit (equal, so the node never overcommits and an OOM kill is
 *                        the training's own); null for none
 * @param dataClaim       a PersistentVolumeClaim mounted read-only at the data path, or null
 * @param startTimeout    how long the pod may take to start: scheduling (a GPU node pool may first scale up) and
 *                        pulling the image
 */
public record TrainingPodSettings(
        String namespace,
        SortedMap<String, String> nodeSelector,
        List<TolerationSpec> tolerations,
        Integer cpuMillis,
        Integer memoryMi,
        String serviceAccount,
        String imagePullSecret,
        String dataClaim,
        Duration startTimeout) {

    /** One toleration, with the field names Kubernetes gives it (users copy them from the cluster's docs). */
    public record TolerationSpec(String key, String operator, String value, String effect, Long tolerationSeconds) {
    }

    public static final Set<String> KEYS = Set.of("namespace", "node_selector", "tolerations", "cpu_cores", "memory_gb",
            "service_account", "image_pull_secret", "data_claim", "start_timeout");
    public static final Set<String> TOLERATION_KEYS = Set.of("key", "operator", "value", "effect", "tolerationSeconds");
    public static final String DEFAULT_NAMESPACE = "default";
    public static final BigDecimal DEFAULT_CPU_CORES = BigDecimal.ONE;
    public static final BigDecimal DEFAULT_MEMORY_GB = new BigDecimal("4");
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern EFFECT = Pattern.compile("NoSchedule|PreferNoSchedule|NoExecute");

    public TrainingPodSettings {
        nodeSelector = nodeSelector == null ? new TreeMap<>() : new TreeMap<>(nodeSelector);
        tolerations = tolerations == null ? null : List.copyOf(tolerations);
    }

    /** What a pod template of another backend gets: no requests, no selector, the default tolerations. */
    public static TrainingPodSettings none() {
        return new TrainingPodSettings(DEFAULT_NAMESPACE, null, null, null, null, null, null, null, DEFAULT_START_TIMEOUT);
    }

    /** Reads the keys from the train section, recording every problem there. */
    public static TrainingPodSettings from(Section s) {
        String namespace = s.has("namespace")
                ? s.matching("namespace", false, KubeNames.RFC1123_LABEL, KubeNames.RFC1123_LABEL_RULE)
                : DEFAULT_NAMESPACE;
        Integer cpu = ComputeQuantities.millicores(s, "cpu_cores", DEFAULT_CPU_CORES);
        Integer memory = ComputeQuantities.mebibytes(s, "memory_gb", DEFAULT_MEMORY_GB);
        return new TrainingPodSettings(namespace, nodeSelector(s), tolerations(s), cpu, memory,
                objectName(s, "service_account"), objectName(s, "image_pull_secret"), objectName(s, "data_claim"),
                s.duration("start_timeout", DEFAULT_START_TIMEOUT));
    }

    private static String objectName(Section s, String key) {
        return s.has(key) ? s.matching(key, false, KubeNames.RFC1123_SUBDOMAIN, KubeNames.RFC1123_SUBDOMAIN_RULE) : null;
    }

    private static SortedMap<String, String> nodeSelector(Section s) {
        SortedMap<String, String> out = new TreeMap<>();
        Object raw = s.raw("node_selector");
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            s.problem("node_selector", raw, "must be a map of node label keys to values, e.g. {agentpool: gpunp}");
            return out;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object value = e.getValue();
            if (!KubeNames.isLabelKey(key)) {
                s.problem("node_selector." + key, key, KubeNames.LABEL_KEY_RULE);
            } else if (!(value instanceof String || value instanceof Number || value instanceof Boolean)
                    || !KubeNames.isLabelValue(String.valueOf(value))) {
                s.problem("node_selector." + key, value, KubeNames.LABEL_VALUE_RULE);
            } else {
                out.put(key, String.valueOf(value));
            }
        }
        return out;
    }

    private static List<TolerationSpec> tolerations(Section s) {
        Object raw = s.raw("tolerations");
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof List<?> list)) {
            s.problem("tolerations", raw, "must be a list of tolerations such as [{key: sku, operator: Equal, value: gpu, "
                    + "effect: NoSchedule}] ([] for none)");
            return null;
        }
        List<TolerationSpec> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "tolerations[" + i + "]";
            Map<String, Object> t = Section.asMap(list.get(i));
            if (t == null) {
                s.problem(at, list.get(i), "must be a map with key, operator, value, effect and optionally tolerationSeconds");
                continue;
            }
            boolean ok = true;
            for (String k : new TreeSet<>(t.keySet())) {
                if (!TOLERATION_KEYS.contains(k)) {
                    s.problem(at + "." + k, k, "is not a toleration field; valid fields: " + String.join(", ", new TreeSet<>(TOLERATION_KEYS)));
                    ok = false;
                }
            }
            String key = text(t.get("key"));
            String operator = t.get("operator") == null ? "Equal" : text(t.get("operator"));
            String value = text(t.get("value"));
            String effect = text(t.get("effect"));
            Long seconds = null;
            if (!"Equal".equals(operator) && !"Exists".equals(operator)) {
                s.problem(at + ".operator", t.get("operator"), "must be 'Equal' (the default) or 'Exists'");
                ok = false;
            }
            if (key != null && !KubeNames.isLabelKey(key)) {
                s.problem(at + ".key", key, KubeNames.LABEL_KEY_RULE);
                ok = false;
            }
            if (key == null && !"Exists".equals(operator)) {
                s.problem(at + ".key", t.get("key"), "is required unless operator is 'Exists' (which then tolerates every taint)");
                ok = false;
            }
            if ("Exists".equals(operator) && value != null) {
                s.problem(at + ".value", value, "must be left out with operator 'Exists'");
                ok = false;
            }
            if ("Equal".equals(operator) && value != null && !KubeNames.isLabelValue(value)) {
                s.problem(at + ".value", value, KubeNames.LABEL_VALUE_RULE);
                ok = false;
            }
            if (effect != null && !EFFECT.matcher(effect).matches()) {
                s.problem(at + ".effect", t.get("effect"), "must be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute' (left out: all effects)");
                ok = false;
            }
            Object rawSeconds = t.get("tolerationSeconds");
            if (rawSeconds != null) {
                if ((rawSeconds instanceof Integer || rawSeconds instanceof Long) && ((Number) rawSeconds).longValue() >= 0
                        && "NoExecute".equals(effect)) {
                    seconds = ((Number) rawSeconds).longValue();
                } else {
                    s.problem(at + ".tolerationSeconds", rawSeconds, "must be a whole number of seconds, 0 or more, and only with "
                            + "effect 'NoExecute'");
                    ok = false;
                }
            }
            if (ok) {
                out.add(new TolerationSpec(key, operator, value, effect, seconds));
            }
        }
        return out;
    }

    /** Scalars as their text; anything else as null (the rule then names what was given). */
    private static String text(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean ? String.valueOf(value) : null;
    }
}
