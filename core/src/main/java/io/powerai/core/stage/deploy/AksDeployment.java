package io.powerai.core.stage.deploy;

import io.powerai.core.spec.PromotionGate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.kubernetes.Backoff;
import io.powerai.core.kubernetes.ClusterCredentials;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.kubernetes.KubeYaml;
import io.powerai.core.kubernetes.Timing;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.spec.AksSettings;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.RunEnvironment;
import io.powerai.core.stage.StageContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * reaches the cluster ({@link AksPlan}). The work is {@link AksRollout}'s, over {@link ClusterObjects} (reads and
 * changes with their {@link UndoJournal}), {@link EndpointSecrets}, {@link TrafficSwitch} and
 * {@link DeploymentRecords}; this class is the target's face: what the commands call.
 */
public final class AksDeployment implements DeployTarget {
    static final Stage STAGE = Stage.DEPLOY;

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

        /**
         * As the commands connect: through az aks get-credentials when the settings name the AKS cluster
         * (resource_group, cluster_name), with the service principal in {@code cluster}, else with its kubeconfig.
         */
        static Connector of(ClusterCredentials cluster) {
            return (settings, events) -> KubeConnection.open(STAGE.stepName(), settings.usesAzureCli()
                            ? new KubeConnection.AzureCluster(settings.resourceGroup(), settings.clusterName()) : null,
                    cluster, events, KubeConnection.KUBECONFIG_OR_AZURE_HELP);
        }
    }

    private final StageContext ctx;
    private final RunEnvironment environment;
    private final Connector connector;
    private final Function<KubernetesClient, PodTransport> transports;
    private final Tuning tuning;
    private final StageEvents events;

    public AksDeployment(StageContext ctx, RunEnvironment environment, Connector connector,
                         Function<KubernetesClient, PodTransport> transports, Tuning tuning) {
        this.ctx = ctx;
        this.environment = environment;
        this.connector = connector;
        this.transports = transports;
        this.tuning = tuning;
        this.events = ctx.events().forStage(STAGE.stepName());
    }

    /** As the command runs it: credentials as the face read them, smoke tests through a port-forward. */
    public static AksDeployment of(StageContext ctx, RunEnvironment environment) {
        return new AksDeployment(ctx, environment, Connector.of(environment.cluster()),
                client -> new PortForwardTransport(client, STAGE.stepName()), Tuning.defaults());
    }

    // ------------------------------------------------------------------------------------------------ dry run

    /**
     * The manifests of a deployment as multi-document YAML, contacting nothing: rendered as for a first deployment
     * (color blue, all traffic), Secrets without their data.
     */
    public String dryRun(String imageOverride) {
        AksPlan plan = AksPlan.of(ctx, environment, imageOverride, true, events);
        AksManifests m = plan.manifests();
        List<HasMetadata> objects = new ArrayList<>();
        if (plan.settings().authEnabled()) {
            objects.add(AksSecrets.keys(m, null));
        }
        if (plan.registryUser() != null) {
            objects.add(AksSecrets.pull(m, plan.registryHost(), null, null));
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
        AksPlan plan = AksPlan.of(ctx, environment, imageOverride, false, events);
        // Known before the cluster is contacted: a gate metric the new model lacks is invalid input, nothing to connect for.
        Map<String, Double> gateCandidate = ctx.spec().deploy().gate() == null ? null
                : ModelMetrics.requireOfScoringImage(ctx.workspace(), STAGE.stepName(), imageOverride);
        if (gateCandidate != null) {
            ctx.spec().deploy().gate().requireMetric(STAGE.stepName(), gateCandidate);
        }
        events.progress("deploying " + plan.release().image() + " as " + plan.name() + " in namespace " + plan.settings().namespace());
        warmUp(plan.manifests());
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return rollout(connection, plan).deploy(started, gateCandidate);
        }
    }

    /** The promotion gate alone ({@code powerai deploy --gate-only}): reads the serving Deployment, changes nothing. */
    @Override
    public PromotionGate.Decision gate(String imageOverride) {
        AksPlan plan = AksPlan.of(ctx, environment, imageOverride, false, events);
        if (ctx.spec().deploy().gate() == null) {
            throw PowerAiException.InvalidInput.bare("'gate' is not set in the deploy section: there is no gate to run");
        }
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return rollout(connection, plan).gateOnly(ModelMetrics.requireOfScoringImage(ctx.workspace(), STAGE.stepName(), imageOverride));
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
        AksPlan plan = AksPlan.control(ctx);
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return rollout(connection, plan).promote(started);
        }
    }

    /**
     * Ends a traffic split in favour of the version that served before it, or, without a split, brings back the
     * version the other color holds and switches to it.
     */
    public DeploymentResult rollback() {
        long started = System.nanoTime();
        AksPlan plan = AksPlan.control(ctx);
        try (KubeConnection connection = connector.open(plan.settings(), events)) {
            return rollout(connection, plan).rollback(started);
        }
    }

    private AksRollout rollout(KubeConnection connection, AksPlan plan) {
        return new AksRollout(ctx, connection, plan, transports.apply(connection.client()), tuning, events);
    }
}
