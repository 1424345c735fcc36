package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.powerai.core.kubernetes.KubeQuantities;
import io.powerai.core.kubernetes.TrainingPods;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.spec.KubeNames;
import io.powerai.core.spec.Problems;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one scoring service, rendered from the settings and the release alone (no cluster
 * state but what the caller passes in), so the same inputs give the same bytes:
 * <ul>
 *   <li>Deployments {@code <name>-blue} and {@code <name>-green}: one serves, the other takes the next version;</li>
 *   <li>Service {@code <name>} (port 80 to the scoring server's 5001), whose selector picks the live color;</li>
 *   <li>HorizontalPodAutoscaler {@code <name>} (autoscaling/v2, CPU utilization) on the live color's Deployment;</li>
 *   <li>PodDisruptionBudget {@code <name>}: at most one pod evicted at a time, never blocking a node drain;</li>
 *   <li>Secrets {@code <name>-keys} (endpoint keys, when auth is on) and {@code <name>-registry} (image pull), rendered
 *   by {@link AksSecrets};</li>
 *   <li>ServiceMonitor {@code <name>} (monitoring.coreos.com/v1), only with {@code service_monitor: true}.</li>
 * </ul>
 * The scoring server's {@code GET /metrics} is on a container port of its own ({@code metrics}), never a port of
 * the Service: what the Service exposes is public (a LoadBalancer's), and the metrics port needs no key.
 */
public final class AksManifests {
    public static final String CONTAINER = "score";
    public static final int SERVER_PORT = AksSettings.SERVER_PORT;
    public static final int SERVICE_PORT = 80;
    public static final String PREFIX = "powerai.io/";
    /** The scoring server answers {@code GET /} with 200 while its process serves. */
    public static final String LIVENESS_PATH = "/";
    /**
     * Readiness uses the same route for now, so that images built before the server had {@code GET /health}
     * (200 once init() has run) still roll out; requests that reach a worker before init() are held until it is done.
     */
    public static final String READINESS_PATH = "/";

    // Labels
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String VERSION = "app.kubernetes.io/version";
    public static final String COLOR = PREFIX + "color";
    // Annotations: what a version is made of (on the Deployment and its pod template, so ReplicaSets keep them)
    public static final String IMAGE = PREFIX + "image";
    public static final String MODEL_SHA256 = PREFIX + "model-sha256";
    public static final String SNAPSHOT_IMAGE = PREFIX + "snapshot-image";
    public static final String SNAPSHOT_ID = PREFIX + "snapshot-id";
    public static final String BUILD_TAG = PREFIX + "build-tag";
    public static final String BUILD_URL = PREFIX + "build-url";
    /** The model's final metrics (canonical JSON), read back by the promotion gate of the next deploy. */
    public static final String METRICS = PREFIX + "metrics";
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    // ... and of a rollout (on the Deployment only)
    public static final String DEPLOYED_AT = PREFIX + "deployed-at";
    public static final String PREVIOUS_IMAGE = PREFIX + "previous-image";
    public static final String SERVING_REPLICAS = PREFIX + "serving-replicas";
    // ... and of the traffic (on the Service)
    public static final String LIVE_COLOR = PREFIX + "live-color";
    public static final String CANDIDATE_COLOR = PREFIX + "candidate-color";
    public static final String CANDIDATE_PERCENT = PREFIX + "candidate-traffic-percent";
    public static final String SECRET_DATA = PREFIX + "secret-data";
    // ... and of the metrics (on the pod template), read by the common Prometheus scrape configuration
    public static final String PROMETHEUS_SCRAPE = "prometheus.io/scrape";
    public static final String PROMETHEUS_PORT = "prometheus.io/port";
    public static final String PROMETHEUS_PATH = "prometheus.io/path";
    public static final String METRICS_PATH = "/metrics";
    public static final String METRICS_PORT_NAME = "metrics";
    /** The Prometheus Operator's resource; a CRD, so rendered as a generic resource (no model class needed). */
    public static final String SERVICE_MONITOR_API = "monitoring.coreos.com/v1";
    public static final String SERVICE_MONITOR_KIND = "ServiceMonitor";
    public static final String SERVICE_MONITOR_PLURAL = "servicemonitors";

    public static final String PRIMARY_KEY = "primaryKey";
    public static final String SECONDARY_KEY = "secondaryKey";

    /** {@code <name>-green} must stay a 63-character label (it is also a label value). */
    public static final int MAX_NAME = 63 - "-green".length();

    private final String name;
    private final String namespace;
    private final AksSettings settings;
    private final Release release;
    private final boolean pullSecret;

    /**
     * @param name       the project's name, validated with {@link #checkServiceName}
     * @param pullSecret whether registry credentials were given (the pods then name the pull secret)
     */
    public AksManifests(String name, AksSettings settings, Release release, boolean pullSecret) {
        this.name = name;
        this.namespace = settings.namespace();
        this.settings = settings;
        this.release = release;
        this.pullSecret = pullSecret;
    }

    /** The project's name names the Service and, with a color, the Deployments; checked before any call. */
    public static void checkServiceName(String stage, String name, Problems problems) {
        if (name == null) {
            return; // already reported by the pipeline spec
        }
        if (!KubeNames.RFC1035_LABEL.matcher(name).matches() || name.length() > MAX_NAME) {
            problems.add(stage, "'name' must be an RFC 1035 label of at most " + MAX_NAME + " characters on Kubernetes "
                    + "(lowercase letters, digits, '-', starting with a letter: it names the Service '" + name
                    + "' and the Deployments '<name>-blue' and '<name>-green'); got '" + name + "'");
        }
    }

    public String serviceName() {
        return name;
    }

    public String deploymentName(Color color) {
        return name + "-" + color.label();
    }

    public String keysSecretName() {
        return name + "-keys";
    }

    public String pullSecretName() {
        return name + "-registry";
    }

    public String namespace() {
        return namespace;
    }

    /** Labels of every object of the service. */
    Map<String, String> commonLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, name);
        labels.put(INSTANCE, name);
        labels.put(COMPONENT, "scoring");
        labels.put(MANAGED_BY, "powerai");
        return labels;
    }

    /** The immutable selector of a color's Deployment. */
    public Map<String, String> colorSelector(Color color) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(NAME, name);
        selector.put(COLOR, color.label());
        return selector;
    }

    private Map<String, String> versionLabels(Color color) {
        Map<String, String> labels = commonLabels();
        String version = release.modelVersion() != null ? release.modelVersion() : release.imageVersion();
        if (version != null) {
            labels.put(VERSION, version);
        }
        labels.put(COLOR, color.label());
        return labels;
    }

    /** What the version is made of; on the pod template too, so that every ReplicaSet of the history keeps it. */
    private Map<String, String> releaseAnnotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(IMAGE, release.image());
        putIfSet(annotations, MODEL_SHA256, release.modelSha256());
        putIfSet(annotations, SNAPSHOT_IMAGE, release.snapshotImage());
        putIfSet(annotations, SNAPSHOT_ID, release.snapshotId());
        putIfSet(annotations, BUILD_TAG, release.buildTag());
        putIfSet(annotations, BUILD_URL, release.buildUrl());
        putIfSet(annotations, METRICS, release.metricsRecord());
        StringBuilder cause = new StringBuilder("powerai aksDeploy ").append(release.image());
        if (release.modelVersion() != null) {
            cause.append(" model ").append(release.modelVersion());
        }
        if (release.buildTag() != null) {
            cause.append(" build ").append(release.buildTag());
        }
        annotations.put(CHANGE_CAUSE, cause.toString());
        return annotations;
    }

    private Map<String, String> podAnnotations() {
        Map<String, String> annotations = releaseAnnotations();
        annotations.put(PROMETHEUS_SCRAPE, "true");
        annotations.put(PROMETHEUS_PORT, String.valueOf(settings.podMetricsPort()));
        annotations.put(PROMETHEUS_PATH, METRICS_PATH);
        return annotations;
    }

    /**
     * The Deployment of {@code color} running the release with {@code replicas} pods. {@code previousImage} is what
     * this color ran before (kept as an annotation, for people and for {@code deploy history}).
     */
    public Deployment deployment(Color color, int replicas, Instant deployedAt, String previousImage) {
        Map<String, String> annotations = releaseAnnotations();
        annotations.put(DEPLOYED_AT, deployedAt.toString());
        putIfSet(annotations, PREVIOUS_IMAGE, previousImage);
        annotations.put(SERVING_REPLICAS, String.valueOf(settings.servingReplicas()));
        return new DeploymentBuilder()
                .withNewMetadata()
                    .withName(deploymentName(color)).withNamespace(namespace)
                    .withLabels(versionLabels(color)).withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withRevisionHistoryLimit(10)
                    .withProgressDeadlineSeconds((int) Math.max(60, settings.rolloutTimeout().toSeconds()))
                    .withNewSelector().withMatchLabels(colorSelector(color)).endSelector()
                    .withNewStrategy()
                        .withType("RollingUpdate")
                        .withNewRollingUpdate().withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate()
                    .endStrategy()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(versionLabels(color)).withAnnotations(podAnnotations()).endMetadata()
                        .withNewSpec()
                            // The scoring server never calls the Kubernetes API.
                            .withAutomountServiceAccountToken(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true).withRunAsUser(65534L).withRunAsGroup(65534L)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withImagePullSecrets(pullSecret ? List.of(new LocalObjectReference(pullSecretName())) : List.of())
                            .withTolerations(settings.gpus() > 0 ? TrainingPods.gpuTolerations() : List.of())
                            .withContainers(container())
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private Container container() {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        requests.put("cpu", KubeQuantities.cpu(settings.cpuMillis()));
        requests.put("memory", KubeQuantities.memory(settings.memoryMi()));
        if (settings.cpuLimitMillis() != null) {
            limits.put("cpu", KubeQuantities.cpu(settings.cpuLimitMillis()));
        }
        // A memory limit above the request lets a node overcommit and OOM-kill at random: by default they match.
        limits.put("memory", KubeQuantities.memory(settings.memoryLimitMi() != null ? settings.memoryLimitMi() : settings.memoryMi()));
        if (settings.gpus() > 0) {
            requests.put(TrainingPods.GPU_RESOURCE, new Quantity(String.valueOf(settings.gpus())));
            limits.put(TrainingPods.GPU_RESOURCE, new Quantity(String.valueOf(settings.gpus())));
        }
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder().withName("PORT").withValue(String.valueOf(SERVER_PORT)).build());
        env.add(new EnvVarBuilder().withName("HOST").withValue("0.0.0.0").build());
        env.add(new EnvVarBuilder().withName("POWERAI_METRICS_PORT").withValue(String.valueOf(settings.podMetricsPort())).build());
        if (settings.scoringTimeoutMs() != null) {
            env.add(new EnvVarBuilder().withName("POWERAI_SCORING_TIMEOUT_MS").withValue(String.valueOf(settings.scoringTimeoutMs())).build());
        }
        if (settings.cpuLimitMillis() == null && release.imageWorkers() == null) {
            // Without a CPU limit the server would start one worker (one init(), one model in memory) per CPU of the
            // node; size it to the CPU the pod asks for instead.
            env.add(new EnvVarBuilder().withName("WORKER_COUNT").withValue(String.valueOf(Math.max(1, (settings.cpuMillis() + 999) / 1000))).build());
        }
        if (settings.authEnabled()) {
            env.add(secretEnv("POWERAI_PRIMARY_KEY", PRIMARY_KEY));
            env.add(secretEnv("POWERAI_SECONDARY_KEY", SECONDARY_KEY));
        }
        ContainerBuilder container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(release.image())
                .withImagePullPolicy("IfNotPresent")
                .addNewPort().withName("http").withContainerPort(SERVER_PORT).withProtocol("TCP").endPort()
                .addNewPort().withName(METRICS_PORT_NAME).withContainerPort(settings.podMetricsPort()).withProtocol("TCP").endPort()
                .withEnv(env)
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withReadinessProbe(probe(READINESS_PATH, settings.periodSeconds(), settings.failureThreshold()))
                .withLivenessProbe(probe(LIVENESS_PATH, settings.periodSeconds(), settings.failureThreshold()))
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext();
        if (settings.initialDelaySeconds() > 0) {
            // AML's initial delay as a startup budget rather than a fixed wait: liveness starts as soon as the server
            // answers, and a slow start (heavy imports before it listens) is not killed before initial_delay_seconds.
            int period = Math.min(settings.periodSeconds(), 5);
            int attempts = Math.max(1, (settings.initialDelaySeconds() + period - 1) / period);
            container.withStartupProbe(probe(LIVENESS_PATH, period, attempts));
        }
        return container.build();
    }

    private Probe probe(String path, int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString(SERVER_PORT)).withScheme("HTTP").endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(settings.timeoutSeconds())
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private EnvVar secretEnv(String variable, String key) {
        return new EnvVarBuilder().withName(variable)
                .withNewValueFrom().withNewSecretKeyRef().withName(keysSecretName()).withKey(key).endSecretKeyRef().endValueFrom()
                .build();
    }

    /** The Service; its selector follows the traffic state (both colors during a split). */
    public Service service(TrafficState state) {
        Map<String, String> selector = state.split() ? Map.of(NAME, name) : colorSelector(state.live());
        return new ServiceBuilder()
                .withNewMetadata()
                    .withName(serviceName()).withNamespace(namespace)
                    .withLabels(commonLabels()).withAnnotations(state.annotations())
                .endMetadata()
                .withNewSpec()
                    .withType(settings.serviceType())
                    .withSelector(new LinkedHashMap<>(selector))
                    .addNewPort().withName("http").withPort(SERVICE_PORT).withTargetPort(new IntOrString(SERVER_PORT)).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    /** CPU-utilization autoscaling of the live color's Deployment (autoscaling/v2). */
    public HorizontalPodAutoscaler autoscaler(Color live) {
        return new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName(serviceName()).withNamespace(namespace).withLabels(commonLabels()).endMetadata()
                .withNewSpec()
                    .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(deploymentName(live)).endScaleTargetRef()
                    .withMinReplicas(settings.autoscaleMinReplicas())
                    .withMaxReplicas(settings.autoscaleMaxReplicas())
                    .addNewMetric()
                        .withType("Resource")
                        .withNewResource().withName("cpu")
                            .withNewTarget().withType("Utilization").withAverageUtilization(settings.autoscaleTargetUtilization()).endTarget()
                        .endResource()
                    .endMetric()
                .endSpec()
                .build();
    }

    /**
     * At most one scoring pod down at a time during voluntary disruptions (node drains, AKS upgrades).
     * maxUnavailable rather than minAvailable: with a single replica a minAvailable of 1 would block every drain.
     */
    public PodDisruptionBudget disruptionBudget() {
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName(serviceName()).withNamespace(namespace).withLabels(commonLabels()).endMetadata()
                .withNewSpec()
                    .withMaxUnavailable(new IntOrString(1))
                    .withNewSelector().withMatchLabels(Map.of(NAME, name)).endSelector()
                .endSpec()
                .build();
    }

    /**
     * Tells a Prometheus Operator to scrape the pods behind the Service on their {@code metrics} container port. The
     * port is named by {@code targetPort} because it is deliberately not a port of the Service: Prometheus's endpoints
     * discovery also yields the other container ports of the pods behind a Service. The selector is the Service's name
     * label, so the pods of both colors that the Service selects are scraped.
     */
    public GenericKubernetesResource serviceMonitor() {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("targetPort", METRICS_PORT_NAME);
        endpoint.put("path", METRICS_PATH);
        endpoint.put("interval", "30s");
        endpoint.put("scheme", "http");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("selector", Map.of("matchLabels", Map.of(NAME, name, MANAGED_BY, "powerai")));
        spec.put("namespaceSelector", Map.of("matchNames", List.of(namespace)));
        spec.put("endpoints", List.of(endpoint));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(SERVICE_MONITOR_API).withKind(SERVICE_MONITOR_KIND)
                .withNewMetadata().withName(serviceName()).withNamespace(namespace).withLabels(commonLabels()).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
