package io.powerai.core.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.KubeCalls;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.KubeYaml;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.powerai.core.kubernetes.Timing;
import io.powerai.core.result.AuditStamp;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.result.ServingVersion;
import io.powerai.core.spec.DeploySpec;
import io.powerai.core.spec.Problems;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * o16n on Kubernetes (AKS or any cluster): blue/green rollouts of the scoring image through the Kubernetes API.
 * <p>
 * A new version goes to the color that does not serve, is waited for ({@link RolloutWait}), smoke-tested with the
 * sample request, and only then does the Service's selector switch to it (or, with {@code traffic_percent},
 * select both colors in that replica ratio). Until the switch nothing that serves has changed. Every object it
 * touches is read first; on any failure each is put back as it was (the previous Deployment spec re-applied,
 * what did not exist deleted), the pods' logs are kept, the stage records {@code rolled-back} and fails.
 * <p>
 * Validation happens before any connection: an invalid name, quantity or an image not pinned by digest never
 * reaches the cluster.
 */
public final class AksDeployment implements DeployTarget {
    static final Stage STAGE = Stage.DEPLOY;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How the deployment waits and retries; the CLI uses {@link #defaults()}, tests their own. */
    public record Tuning(Timing timing, Backoff backoff, Duration poll) {
        public static Tuning defaults() {
            return new Tuning(Timing.system(), Backoff.DEFAULT, Duration.ofSeconds(2));
        }
    }

    /** Opens the cluster connection; called only once the input has been validated. */
    @FunctionalInterface
    public interface Connector {
        KubeConnection open(AksSettings settings, StageEvents events);
    }

    private final StageContext ctx;
    private final Map<String, String> env;
    private final Connector connector;
    private final Function<KubernetesClient, SmokeTransport> transports;
    private final Tuning tuning;
    private final StageEvents events;

    public AksDeployment(StageContext ctx, Map<String, String> env, Connector connector,
                         Function<KubernetesClient, SmokeTransport> transports, Tuning tuning) {
        this.ctx = ctx;
        this.env = env;
        this.connector = connector;
        this.transports = transports;
        this.tuning = tuning;
        this.events = ctx.events().forStage(STAGE.stepName());
    }

    /** As the command runs it: credentials from the environment, smoke tests through a port-forward. */
    public static AksDeployment of(StageContext ctx, Map<String, String> env) {
        return new AksDeployment(ctx, env, (settings, events) -> settings.connect(STAGE.stepName(), env, events),
                client -> new PortForwardTransport(client, STAGE.stepName()), Tuning.defaults());
    }

    /** What one deployment puts where; everything checked before the cluster is contacted. */
    private record Plan(String name, AksSettings settings, AksManifests manifests, Release release, Path sample,
                        Path expected, String registryHost, String registryUser, String registryPassword) {
    }

    // ------------------------------------------------------------------------------------------------ dry run

    /**
     * The manifests of a deployment as multi-document YAML, contacting nothing: rendered as for a first deployment
     * (color blue, all traffic), Secrets without their data.
     */
    public String dryRun(String imageOverride) {
        Plan plan = plan(imageOverride, true);
        AksManifests m = plan.manifests();
        List<HasMetadata> objects = new ArrayList<>();
        if (plan.settings().authEnabled()) {
            objects.add(m.keysSecret(null));
        }
        if (plan.registryUser() != null) {
            objects.add(m.pullSecret(plan.registryHost(), null, null));
        }
        objects.add(m.deployment(Color.BLUE, plan.settings().servingReplicas(), ctx.clock().instant(), null));
        objects.add(m.service(TrafficState.serving(Color.BLUE)));
        if (plan.settings().autoscaleEnabled()) {
            objects.add(m.autoscaler(Color.BLUE));
        }
        objects.add(m.disruptionBudget());
        if (plan.settings().serviceMonitor()) {
            objects.add(m.serviceMonitor());
        }
        return "# powerai deploy --dry-run: " + plan.name() + " in namespace " + m.namespace()
                + ", rendered as for a first deployment (color blue).\n"
                + "# On a cluster where blue serves already, the new version goes to " + m.deploymentName(Color.GREEN)
                + " and the Service switches to it after the smoke test. Secret data is generated or read at deploy time.\n"
                + KubeYaml.yaml(objects);
    }

    private Plan plan(String imageOverride, boolean dryRun) {
        ctx.spec().require(STAGE);
        DeploySpec spec = ctx.spec().deploy();
        AksSettings settings = spec.aks();
        String name = ctx.spec().name();
        Problems problems = new Problems();
        AksManifests.checkServiceName(STAGE.stepName(), name, problems);

        Map<String, Object> scoring = readScoringResult();
        String image = imageOverride;
        if (image == null) {
            if (scoring == null || !"succeeded".equals(scoring.get("status")) || scoring.get("image") == null) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": no scoring image to deploy: run scoringImage "
                        + "first (no successful result in " + ctx.workspace().resultFile(Stage.SCORING_IMAGE) + ") or pass 'image'");
            }
            image = String.valueOf(scoring.get("image"));
        }
        ImageReference reference = null;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            problems.add(STAGE.stepName(), "'image' must be an image reference [registry/]name[:tag]@sha256:digest: "
                    + e.getMessage() + "; got '" + image + "'");
        }
        if (reference != null && reference.digest().isEmpty()) {
            problems.add(STAGE.stepName(), "'image' must be pinned by digest on Kubernetes (name@sha256:<64 hex digits>, "
                    + "as scoringImage records it), so that every replica and every rollback runs the same bytes; got '" + image + "'");
        }
        String user = env.get("POWERAI_REGISTRY_USERNAME");
        String password = env.get("POWERAI_REGISTRY_PASSWORD");
        if ((user == null) != (password == null)) {
            problems.add(STAGE.stepName(), "POWERAI_REGISTRY_USERNAME and POWERAI_REGISTRY_PASSWORD must be set together "
                    + "(the image pull secret needs both); only " + (user != null ? "the username" : "the password") + " is set");
        }
        problems.throwIfAny();

        String model = null;
        String snapshotImage = null;
        String snapshotId = null;
        Integer workers = null;
        if (scoring != null && image.equals(scoring.get("image"))) {
            model = stringOrNull(scoring.get("modelSha256"));
            if (scoring.get("serving") instanceof Map<?, ?> serving && serving.get("workers") instanceof Integer n) {
                workers = n;
            }
            snapshotImage = stringOrNull(scoring.get("snapshotImage"));
            if (snapshotImage != null) {
                try {
                    snapshotId = ImageReference.parse(snapshotImage).tag().orElse(null);
                } catch (IllegalArgumentException e) {
                    snapshotId = null;
                }
            }
        } else if (!dryRun) {
            events.warning("the image is not the last scoringImage result: its model and snapshot are not recorded");
        }
        String metrics = imageOverride == null ? ModelMetrics.record(ModelMetrics.ofScoringImage(ctx.workspace())) : null;
        Release release = new Release(reference.toString(), model, snapshotImage, snapshotId, blankToNull(env.get("BUILD_TAG")),
                blankToNull(env.get("BUILD_URL")), workers, metrics);
        Path sample = spec.sampleRequest();
        Path expected = spec.expectedResponse();
        if (sample == null && ctx.spec().score() != null) {
            sample = ctx.spec().score().sampleRequest();
            expected = ctx.spec().score().expectedResponse();
        }
        boolean pull = user != null && password != null;
        return new Plan(name, settings, new AksManifests(name, settings, release, pull), release, sample, expected,
                reference.registry(), pull ? user : null, pull ? password : null);
    }

    private Map<String, Object> readScoringResult() {
        Path file = ctx.workspace().resultFile(Stage.SCORING_IMAGE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.readObject(file);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ deploy

    @Override
    public String name() {
        return DeployTargets.AKS;
    }

    /** Removes what the deployments made (both colors, the Service...): {@link AksRemoval}. */
    @Override
    public DeploymentResult delete() {
        return new AksRemoval(ctx, connector, tuning).delete();
    }

    /** Rolls the image out; returns the result written to {@code aksDeploy.json}. */
    @Override
    public DeploymentResult deploy(String imageOverride) {
        long started = System.nanoTime();
        Plan plan = plan(imageOverride, false);
        // Known before the cluster is contacted: a gate metric the new model lacks is invalid input, nothing to connect for.
        Map<String, Double> gateCandidate = ctx.spec().deploy().gate() == null ? null
                : ModelMetrics.requireOfScoringImage(ctx.workspace(), STAGE.stepName(), imageOverride);
        if (gateCandidate != null) {
            ctx.spec().deploy().gate().requireMetric(STAGE.stepName(), gateCandidate);
        }
        events.progress("deploying " + plan.release().image() + " as " + plan.name() + " in namespace " + plan.settings().namespace());
        warmUp(plan.manifests());
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return new Session(connection, plan).deploy(started, gateCandidate);
        }
    }

    /** The promotion gate alone ({@code powerai deploy --gate-only}): reads the serving Deployment, changes nothing. */
    @Override
    public PromotionGate.Decision gate(String imageOverride) {
        Plan plan = plan(imageOverride, false);
        if (ctx.spec().deploy().gate() == null) {
            throw new PowerAiException.InvalidInput(STAGE.stepName() + ": 'gate' is not set in the deploy section: there is no gate to run");
        }
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            Session session = new Session(connection, plan);
            TrafficState state = session.stateOf(session.getService());
            return session.decide(ModelMetrics.requireOfScoringImage(ctx.workspace(), STAGE.stepName(), imageOverride),
                    state == null ? null : session.getDeployment(state.live()));
        }
    }

    /**
     * In a fresh JVM, Jackson's first (de)serialization of a Deployment costs most of a second (it introspects
     * every model class of the pod template). That work is started in the background here, while the connection
     * is opened (az login, the client, its TLS setup), instead of on the first API call. Only a head start: the
     * serializers are cached and thread-safe, and nothing waits for it.
     */
    private void warmUp(AksManifests m) {
        Thread warm = new Thread(() -> {
            try {
                for (HasMetadata o : List.of(m.deployment(Color.BLUE, 1, ctx.clock().instant(), null), m.service(TrafficState.serving(Color.BLUE)),
                        m.autoscaler(Color.BLUE), m.disruptionBudget())) {
                    KubeYaml.SERIALIZATION.unmarshal(KubeYaml.SERIALIZATION.asJson(o), o.getClass());
                }
            } catch (RuntimeException e) {
                // only a head start; the real calls report real problems
            }
        }, "powerai-warm-up");
        warm.setDaemon(true);
        warm.start();
    }

    /** Sends all traffic to the candidate of a traffic split. */
    public DeploymentResult promote() {
        long started = System.nanoTime();
        Plan plan = controlPlan();
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return new Session(connection, plan).promote(started);
        }
    }

    /**
     * Ends a traffic split in favour of the version that served before it, or, without a split, brings back the
     * version the other color holds and switches to it.
     */
    public DeploymentResult rollback() {
        long started = System.nanoTime();
        Plan plan = controlPlan();
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return new Session(connection, plan).rollback(started);
        }
    }

    /** Promote and rollback act on what the cluster holds: they need the names and settings, not an image. */
    private Plan controlPlan() {
        ctx.spec().require(STAGE);
        DeploySpec spec = ctx.spec().deploy();
        Problems problems = new Problems();
        AksManifests.checkServiceName(STAGE.stepName(), ctx.spec().name(), problems);
        problems.throwIfAny();
        Path sample = spec.sampleRequest();
        Path expected = spec.expectedResponse();
        if (sample == null && ctx.spec().score() != null) {
            sample = ctx.spec().score().sampleRequest();
            expected = ctx.spec().score().expectedResponse();
        }
        Release none = new Release("", null, null, null, null, null);
        return new Plan(ctx.spec().name(), spec.aks(), new AksManifests(ctx.spec().name(), spec.aks(), none, false), none,
                sample, expected, null, null, null);
    }

    /** One connection's work: reads, changes with their undo, the smoke test, the records. */
    private final class Session {
        private final KubernetesClient client;
        private final String server;
        private final Plan plan;
        private final AksManifests m;
        private final String ns;
        private final KubeCalls calls;
        private final RolloutWait rollout;
        private final Deque<Runnable> undo = new ArrayDeque<>();
        private String primaryKey;
        private String action = "deploy";

        Session(KubeConnection connection, Plan plan) {
            this.client = connection.client();
            this.server = connection.server();
            this.plan = plan;
            this.m = plan.manifests();
            this.ns = plan.settings().namespace();
            this.calls = new KubeCalls(STAGE.stepName(), server, tuning.backoff(), tuning.timing(), events);
            this.rollout = new RolloutWait(client, calls, tuning.timing(), tuning.poll(), events, STAGE.stepName());
        }

        DeploymentResult deploy(long started, Map<String, Double> gateCandidate) {
            AksSettings settings = plan.settings();
            Service service = getService();
            TrafficState state = stateOf(service);
            if (state != null && state.split()) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": " + ns + "/" + m.serviceName()
                        + " is splitting traffic (" + describe(state) + "): run 'powerai deploy promote' or 'powerai deploy rollback' first");
            }
            Color live = state == null ? null : state.live();
            Color candidate = live == null ? Color.BLUE : live.other();
            Deployment liveDeployment = live == null ? null : getDeployment(live);
            String previousImage = annotation(liveDeployment, AksManifests.IMAGE);
            if (ctx.spec().deploy().gate() != null) {
                PromotionGate.Decision decision = decide(gateCandidate, liveDeployment);
                if (!decision.passes()) {
                    // Before any change: the serving version stays as it is, recorded as kept.
                    Map<String, Object> details = baseDetails("deploy", live);
                    details.put("gate", decision.line());
                    details.put("candidateImage", plan.release().image());
                    record(started, "kept", details, serving(state), null, previousImage,
                            r -> r.candidateImage(plan.release().image()).gate(decision.line()));
                    throw new PowerAiException.StageFailed(STAGE.stepName() + ": " + decision.line());
                }
            }
            Deployment priorCandidate = getDeployment(candidate);
            HorizontalPodAutoscaler priorHpa = getHpa();
            PodDisruptionBudget priorPdb = getPdb();

            Integer percent = settings.trafficPercent();
            boolean split = percent != null && percent < 100 && liveDeployment != null;
            if (percent != null && percent < 100 && liveDeployment == null) {
                events.warning("traffic_percent " + percent + " applies once a version serves; the first version takes all traffic");
            }
            int total = settings.servingReplicas();
            int[] ratio = split ? TrafficState.splitReplicas(total, percent) : new int[] {0, total};
            TrafficState next = split ? new TrafficState(live, candidate, percent) : TrafficState.serving(candidate);

            String answer;
            try {
                ensureSecrets();
                Deployment rendered = m.deployment(candidate, ratio[1], ctx.clock().instant(), annotation(priorCandidate, AksManifests.IMAGE));
                apply("apply Deployment " + m.deploymentName(candidate), rendered, priorCandidate);
                apply("apply PodDisruptionBudget " + m.serviceName(), m.disruptionBudget(), priorPdb);
                if (settings.serviceMonitor()) {
                    applyServiceMonitor();
                }
                events.progress("rolling out " + m.deploymentName(candidate) + " (" + ratio[1] + " replica(s))"
                        + (previousImage == null ? "" : "; " + m.deploymentName(live) + " serves " + previousImage + " meanwhile"));
                rollout.await(ns, m.deploymentName(candidate), m.colorSelector(candidate), settings.rolloutTimeout());
                answer = smokeTest(candidate);
                switchTraffic(next, service, priorHpa, live, liveDeployment, ratio[0]);
            } catch (PowerAiException failure) {
                return failed(started, failure, candidate, live, previousImage);
            }
            events.progress(split
                    ? "traffic split: " + describe(next) + " (by replica ratio " + ratio[0] + ":" + ratio[1] + ")"
                    : "serving " + plan.release().image() + " from " + m.deploymentName(candidate));
            Map<String, Object> details = baseDetails("deploy", candidate);
            putIfSet(details, "previousImage", previousImage);
            details.put("replicas", ratio[1]);
            if (split) {
                details.put("trafficPercent", percent);
            }
            details.put("smokeTest", answer == null ? "liveness only" : "passed");
            return record(started, "succeeded", details, serving(next), answer, plan.release().image(),
                    r -> r.color(candidate.label()).previousImage(previousImage).trafficPercent(split ? percent : null));
        }

        DeploymentResult promote(long started) {
            action = "promote";
            Service service = getService();
            TrafficState state = requireState(service);
            if (!state.split()) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": nothing to promote: " + ns + "/" + m.serviceName()
                        + " sends all traffic to " + state.live() + " (no traffic split in progress)");
            }
            Color candidate = state.candidate();
            Color live = state.live();
            Deployment candidateDeployment = requireDeployment(candidate);
            Deployment liveDeployment = getDeployment(live);
            int replicas = servingReplicas(candidateDeployment);
            String image = annotation(candidateDeployment, AksManifests.IMAGE);
            HorizontalPodAutoscaler priorHpa = getHpa();
            String answer;
            try {
                scale(candidate, candidateDeployment, replicas);
                rollout.await(ns, m.deploymentName(candidate), m.colorSelector(candidate), plan.settings().rolloutTimeout());
                answer = smokeTest(candidate);
                switchTraffic(TrafficState.serving(candidate), service, priorHpa, live, liveDeployment, 0);
            } catch (PowerAiException failure) {
                return failed(started, failure, candidate, live, annotation(liveDeployment, AksManifests.IMAGE));
            }
            events.progress("promoted: " + image + " from " + m.deploymentName(candidate) + " takes all traffic");
            Map<String, Object> details = baseDetails("promote", candidate);
            putIfSet(details, "previousImage", annotation(liveDeployment, AksManifests.IMAGE));
            return record(started, "succeeded", details, serving(TrafficState.serving(candidate)), answer, image,
                    r -> r.color(candidate.label()));
        }

        DeploymentResult rollback(long started) {
            action = "rollback";
            Service service = getService();
            TrafficState state = requireState(service);
            Color current = state.split() ? state.candidate() : state.live();
            Color back = state.split() ? state.live() : state.live().other();
            Deployment backDeployment = getDeployment(back);
            String backImage = annotation(backDeployment, AksManifests.IMAGE);
            if (backImage == null) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": nothing to roll back to: " + ns + "/"
                        + m.deploymentName(back) + " holds no earlier version");
            }
            Deployment currentDeployment = getDeployment(current);
            String currentImage = annotation(currentDeployment, AksManifests.IMAGE);
            HorizontalPodAutoscaler priorHpa = getHpa();
            String answer = null;
            try {
                if (!state.split()) {
                    scale(back, backDeployment, servingReplicas(backDeployment));
                    rollout.await(ns, m.deploymentName(back), m.colorSelector(back), plan.settings().rolloutTimeout());
                    answer = smokeTest(back);
                }
                switchTraffic(TrafficState.serving(back), service, priorHpa, current, currentDeployment, 0);
            } catch (PowerAiException failure) {
                return failed(started, failure, back, current, currentImage);
            }
            events.progress("rolled back: " + backImage + " from " + m.deploymentName(back) + " takes all traffic"
                    + (currentImage == null ? "" : " (was " + currentImage + ")"));
            Map<String, Object> details = baseDetails("rollback", back);
            putIfSet(details, "previousImage", currentImage);
            return record(started, "succeeded", details, serving(TrafficState.serving(back)), answer, backImage,
                    r -> r.color(back.label()).previousImage(currentImage));
        }

        // -------------------------------------------------------------------------------- traffic

        /** Points the Service at {@code next}, then moves the autoscaler and scales the other color. */
        private void switchTraffic(TrafficState next, Service priorService, HorizontalPodAutoscaler priorHpa, Color other,
                                   Deployment otherDeployment, int otherReplicas) {
            apply("switch Service " + m.serviceName() + " to " + describe(next), keepClusterFields(m.service(next), priorService), priorService);
            if (next.split()) {
                // One autoscaler per Service: during a split it would undo the ratio, so it pauses until promote or rollback.
                delete("remove HorizontalPodAutoscaler " + m.serviceName() + " during the split", priorHpa);
            } else if (plan.settings().autoscaleEnabled()) {
                apply("point HorizontalPodAutoscaler " + m.serviceName() + " at " + m.deploymentName(next.live()),
                        m.autoscaler(next.live()), priorHpa);
            } else {
                delete("remove HorizontalPodAutoscaler " + m.serviceName() + " (autoscale_enabled is false)", priorHpa);
            }
            if (otherDeployment != null && other != null) {
                scale(other, otherDeployment, otherReplicas);
            }
        }

        private Service keepClusterFields(Service rendered, Service prior) {
            if (prior == null || prior.getSpec() == null) {
                return rendered;
            }
            // Keep what the cluster allocated (cluster IP, node ports): a replace must not ask for new ones.
            Service merged = new ServiceBuilder(rendered).build();
            merged.getSpec().setClusterIP(prior.getSpec().getClusterIP());
            merged.getSpec().setClusterIPs(prior.getSpec().getClusterIPs());
            if (prior.getSpec().getPorts() != null && prior.getSpec().getPorts().size() == merged.getSpec().getPorts().size()) {
                for (int i = 0; i < prior.getSpec().getPorts().size(); i++) {
                    merged.getSpec().getPorts().get(i).setNodePort(prior.getSpec().getPorts().get(i).getNodePort());
                }
            }
            return merged;
        }

        private void scale(Color color, Deployment current, int replicas) {
            String name = m.deploymentName(color);
            Integer before = current.getSpec() == null ? null : current.getSpec().getReplicas();
            if (Objects.equals(before, replicas)) {
                return;
            }
            events.progress("scaling " + name + " to " + replicas + " replica(s)");
            setReplicas(name, replicas);
            undo.push(() -> setReplicas(name, before == null ? 1 : before));
        }

        private void setReplicas(String name, int replicas) {
            calls.run("scale Deployment " + name, () -> {
                Deployment latest = client.apps().deployments().inNamespace(ns).withName(name).get();
                if (latest == null) {
                    return;
                }
                latest.getSpec().setReplicas(replicas);
                client.apps().deployments().inNamespace(ns).resource(latest).update();
            });
        }

        // -------------------------------------------------------------------------------- secrets

        private void ensureSecrets() {
            if (plan.settings().authEnabled()) {
                Secret existing = calls.call("read Secret " + m.keysSecretName(),
                        () -> client.secrets().inNamespace(ns).withName(m.keysSecretName()).get());
                String primary = secretValue(existing, AksManifests.PRIMARY_KEY);
                if (primary != null && secretValue(existing, AksManifests.SECONDARY_KEY) != null) {
                    primaryKey = primary; // keys outlive versions: clients keep working across deployments
                } else {
                    Map<String, String> keys = new LinkedHashMap<>();
                    keys.put(AksManifests.PRIMARY_KEY, newKey());
                    keys.put(AksManifests.SECONDARY_KEY, newKey());
                    events.progress("generated endpoint keys into Secret " + ns + "/" + m.keysSecretName());
                    apply("write Secret " + m.keysSecretName(), m.keysSecret(keys), existing);
                    primaryKey = keys.get(AksManifests.PRIMARY_KEY);
                }
            }
            if (plan.registryUser() != null) {
                Secret existing = calls.call("read Secret " + m.pullSecretName(),
                        () -> client.secrets().inNamespace(ns).withName(m.pullSecretName()).get());
                apply("write image pull Secret " + m.pullSecretName(),
                        m.pullSecret(plan.registryHost(), plan.registryUser(), plan.registryPassword()), existing);
            }
        }

        private static String newKey() {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        private static String secretValue(Secret secret, String key) {
            if (secret == null || secret.getData() == null || secret.getData().get(key) == null) {
                return null;
            }
            try {
                return new String(Base64.getDecoder().decode(secret.getData().get(key)), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        // -------------------------------------------------------------------------------- smoke test

        private String smokeTest(Color color) {
            SmokeTransport transport = transports.apply(client);
            Map<String, String> selector = m.colorSelector(color);
            Integer scoringTimeout = plan.settings().scoringTimeoutMs();
            Duration timeout = Duration.ofMillis(Math.max(scoringTimeout == null ? AksSettings.DEFAULT_SCORING_TIMEOUT_MS : scoringTimeout, 1000) + 5000);
            SmokeTransport.Answer live = transport.send(ns, selector,
                    new SmokeTransport.Request("GET", "/", null, Map.of(), Duration.ofSeconds(10)));
            if (live.status() != 200) {
                throw new PowerAiException.StageFailed(STAGE.stepName() + ": smoke test: GET / on " + m.deploymentName(color)
                        + " answered HTTP " + live.status() + ": " + KubeCalls.oneLine(String.valueOf(live.body())));
            }
            if (plan.sample() == null) {
                events.warning("no 'sample_request': the smoke test checked liveness only");
                return null;
            }
            String request;
            String expected = null;
            try {
                request = Files.readString(plan.sample());
                if (plan.expected() != null) {
                    expected = Files.readString(plan.expected());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the sample request: " + e.getMessage(), e);
            }
            Map<String, String> headers = new TreeMap<>();
            headers.put("Content-Type", "application/json");
            if (primaryKey != null) {
                headers.put("Authorization", "Bearer " + primaryKey);
            }
            SmokeTransport.Answer answer = transport.send(ns, selector, new SmokeTransport.Request("POST", "/score", request, headers, timeout));
            if (answer.status() != 200) {
                throw new PowerAiException.StageFailed(STAGE.stepName() + ": smoke test: POST /score on " + m.deploymentName(color)
                        + " answered HTTP " + answer.status() + ": " + KubeCalls.oneLine(String.valueOf(answer.body())));
            }
            Object actual = parseJson(answer.body(), "the scoring answer");
            double tolerance = io.powerai.core.stage.Parity.smokeTolerance(ctx.spec());
            List<String> differences = expected == null ? List.of()
                    : io.powerai.core.stage.Parity.differences(parseJson(expected, "expected_response"), actual, tolerance);
            if (!differences.isEmpty()) {
                throw new PowerAiException.StageFailed(STAGE.stepName() + ": smoke test: the answer of " + m.deploymentName(color)
                        + " to " + plan.sample().getFileName() + " differs from " + plan.expected().getFileName() + " (tolerance "
                        + tolerance + "): " + KubeCalls.oneLine(io.powerai.core.stage.Parity.summary(differences, 5)));
            }
            events.progress("smoke test passed on " + m.deploymentName(color) + ": " + KubeCalls.oneLine(answer.body()));
            return answer.body();
        }

        private Object parseJson(String text, String what) {
            try {
                return Json.mapper().readValue(text, Object.class);
            } catch (JsonProcessingException e) {
                throw new PowerAiException.StageFailed(STAGE.stepName() + ": smoke test: " + what + " is not JSON: "
                        + KubeCalls.oneLine(String.valueOf(text)));
            }
        }

        // -------------------------------------------------------------------------------- failure

        /** Puts every touched object back, keeps the pods' logs, records the failure, and fails the stage. */
        private DeploymentResult failed(long started, PowerAiException failure, Color candidate, Color live, String liveImage) {
            if (undo.isEmpty() && failure instanceof PowerAiException.InfrastructureUnavailable) {
                throw failure; // nothing changed: the cluster was not reachable or refused us
            }
            events.warning(failure.getMessage());
            Path logs = keepPodLogs(candidate);
            String rollbackProblem = null;
            if (!undo.isEmpty()) {
                events.warning(live == null ? "removing what this deployment created (nothing served before)"
                        : "rolling back: " + ns + "/" + m.serviceName() + " keeps serving " + m.deploymentName(live)
                        + (liveImage == null ? "" : " (" + liveImage + ")"));
            }
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException e) {
                    rollbackProblem = e.getMessage();
                    undo.clear();
                }
            }
            String status = rollbackProblem == null && live != null ? "rolled-back" : "failed";
            String message = failure.getMessage() + (logs == null ? "" : "; pod logs kept at " + logs);
            Map<String, Object> details = baseDetails(action, candidate);
            details.put("failure", message);
            if (rollbackProblem != null) {
                details.put("rollbackFailure", rollbackProblem);
            } else if (live != null) {
                details.put("rolledBackTo", liveImage == null ? m.deploymentName(live) : liveImage);
            }
            // What serves now: what served before, when the rollback went through.
            List<ServingVersion> servingNow = rollbackProblem == null && live != null ? serving(TrafficState.serving(live)) : List.of();
            Object rolledBackTo = details.get("rolledBackTo");
            record(started, status, details, servingNow, null, plan.release().image(),
                    r -> r.failure(message).rolledBackTo(rolledBackTo == null ? null : rolledBackTo.toString()));
            String outcome = rollbackProblem != null ? "; the rollback failed too: " + rollbackProblem
                    : live != null ? "; rolled back: " + m.deploymentName(live) + " serves " + Objects.toString(liveImage, "") + " again"
                    : "; nothing served before, the objects it created were removed";
            if (rollbackProblem != null && failure instanceof PowerAiException.InfrastructureUnavailable) {
                throw new PowerAiException.InfrastructureUnavailable(message + outcome, failure);
            }
            throw new PowerAiException.StageFailed(message + outcome, failure);
        }

        private Path keepPodLogs(Color color) {
            try {
                List<Pod> pods = client.pods().inNamespace(ns).withLabels(m.colorSelector(color)).list().getItems();
                if (pods.isEmpty()) {
                    return null;
                }
                StringBuilder out = new StringBuilder();
                for (Pod pod : pods) {
                    out.append("=== pod ").append(pod.getMetadata().getName()).append('\n');
                    try {
                        out.append(client.pods().inNamespace(ns).withName(pod.getMetadata().getName())
                                .inContainer(AksManifests.CONTAINER).tailingLines(500).getLog());
                    } catch (KubernetesClientException e) {
                        out.append("(no log: ").append(KubeCalls.oneLine(String.valueOf(e.getMessage()))).append(")\n");
                    }
                }
                Path file = ctx.workspace().stageDir(STAGE).resolve("failed-pods.log");
                Json.writeAtomically(file, out.toString());
                return file;
            } catch (KubernetesClientException e) {
                return null;
            }
        }

        /** The gate: the new model's metrics against those the serving Deployment's annotations record. */
        PromotionGate.Decision decide(Map<String, Double> candidate, Deployment liveDeployment) {
            PromotionGate.Decision decision = ctx.spec().deploy().gate().decide(STAGE.stepName(), candidate, liveDeployment != null,
                    ModelMetrics.parse(annotation(liveDeployment, AksManifests.METRICS)));
            events.progress(decision.line());
            return decision;
        }

        // -------------------------------------------------------------------------------- records

        private Map<String, Object> baseDetails(String what, Color color) {
            Map<String, Object> details = new TreeMap<>();
            details.put("target", "aks");
            details.put("action", what);
            details.put("cluster", server);
            details.put("namespace", ns);
            details.put("service", m.serviceName());
            details.put("deployment", m.deploymentName(color));
            details.put("color", color.label());
            putIfSet(details, "modelSha256", plan.release().modelSha256());
            putIfSet(details, "snapshotImage", plan.release().snapshotImage());
            putIfSet(details, "buildTag", plan.release().buildTag());
            putIfSet(details, "buildUrl", plan.release().buildUrl());
            // The Secrets by name only: their data never leaves the cluster.
            if (plan.settings().authEnabled()) {
                details.put("keysSecret", m.keysSecretName());
            }
            if (plan.registryUser() != null) {
                details.put("pullSecret", m.pullSecretName());
            }
            return details;
        }

        /**
         * Appends the audit record of this action and writes its result: {@code details} (with {@code serving}) go to
         * the log, the result carries what every action reports plus what {@code extra} adds.
         */
        private DeploymentResult record(long started, String status, Map<String, Object> details, List<ServingVersion> servingNow,
                                        String answer, String image, Consumer<DeploymentResult.Builder> extra) {
            String url = "http://" + m.serviceName() + "." + ns + ".svc.cluster.local/score";
            details.put("serving", Json.mapper().convertValue(servingNow, List.class));
            Map<String, String> inputs = new TreeMap<>();
            if (image != null && !image.isEmpty()) {
                inputs.put("image", image);
            }
            AuditLog.Appended appended = ctx.workspace().audit().append(new AuditLog.Entry(STAGE.stepName(), status, inputs,
                    Map.of("endpoint", url, "service", ns + "/" + m.serviceName()), details));
            DeploymentResult.Builder result = DeploymentResult.builder(status, "aks")
                    .action(String.valueOf(details.get("action")))
                    .image(image == null || image.isEmpty() ? null : image)
                    .cluster(server)
                    .namespace(ns)
                    .service(m.serviceName())
                    .deployment(String.valueOf(details.get("deployment")))
                    .scoringUrl(url)
                    .externalScoringUrl(externalUrl())
                    .serving(servingNow)
                    .smokeTestAnswer(answer == null ? null : KubeCalls.oneLine(answer))
                    .durationMillis((System.nanoTime() - started) / 1_000_000);
            extra.accept(result);
            DeploymentResult written = result.build(new AuditStamp(appended.seq(), appended.hash()));
            ctx.workspace().writeResult(written);
            return written;
        }

        private String externalUrl() {
            if (!"LoadBalancer".equals(plan.settings().serviceType())) {
                return null;
            }
            try {
                Service service = client.services().inNamespace(ns).withName(m.serviceName()).get();
                if (service == null || service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                        || service.getStatus().getLoadBalancer().getIngress() == null) {
                    return null;
                }
                for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
                    String host = ingress.getIp() != null ? ingress.getIp() : ingress.getHostname();
                    if (host != null) {
                        return "http://" + host + "/score";
                    }
                }
            } catch (KubernetesClientException e) {
                return null; // only informative
            }
            return null;
        }

        /** The versions that serve in {@code state}, with their share of traffic, as the Deployments record them. */
        private List<ServingVersion> serving(TrafficState state) {
            List<ServingVersion> out = new ArrayList<>();
            if (state.split()) {
                out.add(version(state.live(), 100 - state.candidatePercent()));
                out.add(version(state.candidate(), state.candidatePercent()));
            } else {
                out.add(version(state.live(), 100));
            }
            return out;
        }

        private ServingVersion version(Color color, int percent) {
            Deployment d = getDeployment(color);
            return new ServingVersion(color.label(), m.deploymentName(color), percent, annotation(d, AksManifests.IMAGE),
                    annotation(d, AksManifests.MODEL_SHA256), annotation(d, AksManifests.SNAPSHOT_IMAGE), annotation(d, AksManifests.BUILD_TAG));
        }

        // -------------------------------------------------------------------------------- reads and writes

        private Service getService() {
            return calls.call("read Service " + ns + "/" + m.serviceName(),
                    () -> client.services().inNamespace(ns).withName(m.serviceName()).get());
        }

        private TrafficState stateOf(Service service) {
            if (service == null) {
                return null;
            }
            TrafficState state = TrafficState.of(service.getMetadata().getAnnotations());
            if (state == null) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": Service " + ns + "/" + m.serviceName()
                        + " exists but powerai did not make it (no " + AksManifests.LIVE_COLOR + " annotation); "
                        + "choose another 'name' or 'namespace', or remove it");
            }
            return state;
        }

        private TrafficState requireState(Service service) {
            if (service == null) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": no Service " + ns + "/" + m.serviceName()
                        + " in the cluster: deploy first");
            }
            return stateOf(service);
        }

        private Deployment getDeployment(Color color) {
            return calls.call("read Deployment " + m.deploymentName(color),
                    () -> client.apps().deployments().inNamespace(ns).withName(m.deploymentName(color)).get());
        }

        private Deployment requireDeployment(Color color) {
            Deployment d = getDeployment(color);
            if (d == null) {
                throw new PowerAiException.InvalidInput(STAGE.stepName() + ": Deployment " + ns + "/" + m.deploymentName(color)
                        + " is missing (removed by hand?)");
            }
            return d;
        }

        private HorizontalPodAutoscaler getHpa() {
            return calls.call("read HorizontalPodAutoscaler " + m.serviceName(),
                    () -> client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(m.serviceName()).get());
        }

        private PodDisruptionBudget getPdb() {
            return calls.call("read PodDisruptionBudget " + m.serviceName(),
                    () -> client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(m.serviceName()).get());
        }

        private int servingReplicas(Deployment d) {
            String value = annotation(d, AksManifests.SERVING_REPLICAS);
            try {
                return value == null ? plan.settings().servingReplicas() : Math.max(1, Integer.parseInt(value));
            } catch (NumberFormatException e) {
                return plan.settings().servingReplicas();
            }
        }

        /** Creates or replaces {@code object}; its undo puts {@code prior} back (or deletes what did not exist). */
        private void apply(String what, HasMetadata object, HasMetadata prior) {
            calls.run(what, () -> {
                // What was read before exists: replace it at once rather than after a create answered 409.
                if (prior == null) {
                    client.resource(object).inNamespace(ns).createOr(NonDeletingOperation::update);
                } else {
                    client.resource(object).inNamespace(ns).update();
                }
            });
            undo.push(() -> restore(what, object, prior));
        }

        /**
         * The ServiceMonitor is a CRD's object: addressed through its resource definition (group, version, plural)
         * rather than the API server's discovery, which a cluster without the Prometheus Operator does not answer
         * for it. Such a cluster refuses the call, and the deployment fails with that message and rolls back.
         */
        private void applyServiceMonitor() {
            GenericKubernetesResource monitor = m.serviceMonitor();
            var monitors = client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                    .withGroup("monitoring.coreos.com").withVersion("v1").withKind(AksManifests.SERVICE_MONITOR_KIND)
                    .withPlural(AksManifests.SERVICE_MONITOR_PLURAL).withNamespaced(true).build()).inNamespace(ns);
            String what = "apply ServiceMonitor " + m.serviceName();
            GenericKubernetesResource prior = calls.call("read ServiceMonitor " + m.serviceName(), () -> monitors.withName(m.serviceName()).get());
            calls.run(what, () -> monitors.resource(monitor).createOr(NonDeletingOperation::update));
            undo.push(() -> calls.run("undo: " + what, () -> {
                if (prior == null) {
                    monitors.withName(m.serviceName()).delete();
                } else {
                    GenericKubernetesResource restored = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                            .withApiVersion(prior.getApiVersion()).withKind(prior.getKind())
                            .withNewMetadata().withName(prior.getMetadata().getName()).withNamespace(ns)
                                .withLabels(prior.getMetadata().getLabels()).withAnnotations(prior.getMetadata().getAnnotations()).endMetadata()
                            .withAdditionalProperties(Map.of("spec", prior.getAdditionalProperties().getOrDefault("spec", Map.of())))
                            .build();
                    monitors.resource(restored).createOr(NonDeletingOperation::update);
                }
            }));
        }

        private void delete(String what, HasMetadata prior) {
            if (prior == null) {
                return;
            }
            calls.run(what, () -> client.resource(prior).inNamespace(ns).delete());
            undo.push(() -> restore(what, prior, prior));
        }

        private void restore(String what, HasMetadata object, HasMetadata prior) {
            if (prior == null) {
                calls.run("undo: " + what, () -> client.resource(object).inNamespace(ns).delete());
            } else {
                HasMetadata clean = clean(prior);
                calls.run("undo: " + what, () -> client.resource(clean).inNamespace(ns).createOr(NonDeletingOperation::update));
            }
        }
    }

    /** The object as it was, without what the server owns (version, uid, status), for re-applying. */
    static HasMetadata clean(HasMetadata prior) {
        ObjectMeta meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(prior.getMetadata().getName())
                .withNamespace(prior.getMetadata().getNamespace())
                .withLabels(prior.getMetadata().getLabels())
                .withAnnotations(prior.getMetadata().getAnnotations())
                .build();
        if (prior instanceof Deployment d) {
            return new DeploymentBuilder().withMetadata(meta).withSpec(d.getSpec()).build();
        }
        if (prior instanceof Service s) {
            return new ServiceBuilder().withMetadata(meta).withSpec(s.getSpec()).build();
        }
        if (prior instanceof HorizontalPodAutoscaler h) {
            return new HorizontalPodAutoscalerBuilder().withMetadata(meta).withSpec(h.getSpec()).build();
        }
        if (prior instanceof PodDisruptionBudget p) {
            return new PodDisruptionBudgetBuilder().withMetadata(meta).withSpec(p.getSpec()).build();
        }
        if (prior instanceof Secret s) {
            return new io.fabric8.kubernetes.api.model.SecretBuilder().withMetadata(meta).withType(s.getType()).withData(s.getData()).build();
        }
        throw new IllegalArgumentException("no restore for " + prior.getKind());
    }

    static String describe(TrafficState state) {
        if (!state.split()) {
            return state.live() + " 100%";
        }
        return state.live() + " " + (100 - state.candidatePercent()) + "%, " + state.candidate() + " " + state.candidatePercent() + "%";
    }

    private static String annotation(HasMetadata object, String key) {
        if (object == null || object.getMetadata() == null || object.getMetadata().getAnnotations() == null) {
            return null;
        }
        return object.getMetadata().getAnnotations().get(key);
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static String stringOrNull(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
