package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.stage.deploy.AksDeployment;
import io.powerai.core.stage.deploy.DeployTargets;
import io.powerai.core.history.AksHistory;
import io.powerai.core.history.Deployments;
import io.powerai.core.history.RunHistory;
import io.powerai.core.json.Json;
import io.powerai.core.kubernetes.KubeConnection;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.WorkspaceLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code powerai deploy} on Kubernetes: the rollout, {@code --dry-run}, and promote, rollback, history and delete. */
final class DeployCommands {
    private DeployCommands() {
    }

    /**
     * The deploy policy, before either target is touched: with provenance required (deploy.require_provenance, or
     * POWERAI_REQUIRE_PROVENANCE=true from the global setting), {@code image} (default: the last scoring image) must
     * have a provenance in the registry signed by an allowed key (POWERAI_ALLOWED_KEYS, PEM, over deploy.allowed_keys).
     */
    static void requireProvenance(PowerAiCommand top, StageContext ctx, String image) {
        io.powerai.core.attest.DeployPolicy policy = io.powerai.core.attest.DeployPolicy.of(
                ctx.spec().deploy() == null ? null : ctx.spec().deploy().provenance(),
                "true".equalsIgnoreCase(top.environment.getOrDefault("POWERAI_REQUIRE_PROVENANCE", "").strip()),
                top.environment.get("POWERAI_ALLOWED_KEYS"), Stage.DEPLOY.stepName());
        if (!policy.required()) {
            return;
        }
        String deployed = image != null ? image : ctx.workspace().requireResult(Stage.SCORING_IMAGE, io.powerai.core.result.ScoringImageResult.class, Stage.DEPLOY).image();
        policy.enforce(Stage.DEPLOY.stepName(), ctx.registry(), deployed).ifPresent(verdict -> top.console.line(Stage.DEPLOY.stepName()
                + ": provenance verified: " + VerifyCommand.describe(verdict)));
    }

    /** Prints an AKS deployment's manifests, contacting nothing ({@code powerai deploy --dry-run}: target aks only). */
    static int dryRun(PowerAiCommand top, StageContext ctx, String image) {
        top.console.line(AksDeployment.of(ctx, top.runEnvironment()).dryRun(image).stripTrailing());
        return 0;
    }

    static void printWhereItServes(PowerAiCommand top, DeploymentResult result) {
        top.console.line("scoring URL: " + result.scoringUrl() + " (inside the cluster)");
        if (result.externalScoringUrl() != null) {
            top.console.line("external URL: " + result.externalScoringUrl());
        }
        if (result.serving() != null) {
            top.console.line("serving: " + Deployments.describeVersions(result.servingVersions()));
        }
    }

    private static StageContext aksContext(PowerAiCommand top, PowerAiCommand.Common common) {
        StageContext ctx = common.context(top, Stage.DEPLOY);
        ctx.spec().require(Stage.DEPLOY);
        return ctx;
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "End a traffic split in favour of the new version: scale it to full size, wait, smoke-test, send it "
                    + "all traffic, scale the old color to zero.")
    static final class Promote implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        PowerAiCommand.Common common;

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) spec.root().userObject();
            StageContext ctx = aksContext(top, common);
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.DEPLOY)) {
                printWhereItServes(top, AksDeployment.of(ctx, top.runEnvironment()).promote());
            }
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Send all traffic back to the version that served before: ends a traffic split, or brings back the "
                    + "version the other color holds (scaled up, waited for, smoke-tested) and switches to it.")
    static final class Rollback implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        PowerAiCommand.Common common;

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) spec.root().userObject();
            StageContext ctx = aksContext(top, common);
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.DEPLOY)) {
                printWhereItServes(top, AksDeployment.of(ctx, top.runEnvironment()).rollback());
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove the deployment: target local stops and removes the scoring container; target aks deletes "
                    + "what the deployments created (both colors, the Service, the autoscaler, the disruption budget, the key "
                    + "and pull Secrets) and waits until they are gone. Recorded in the audit log.")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        PowerAiCommand.Common common;
        @Option(names = "--target", paramLabel = "TARGET", description = "Overrides deploy.target: local or aks.")
        String target;

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) spec.root().userObject();
            StageContext ctx = common.context(top, Stage.DEPLOY);
            ctx.spec().require(Stage.DEPLOY);
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.DEPLOY)) {
                DeploymentResult result = DeployTargets.of(ctx, top.runEnvironment(), target).delete();
                if (result.target().equals(DeployTargets.AKS)) {
                    top.console.line("deleted from namespace " + result.namespace() + ": " + result.deleted());
                } else {
                    top.console.line(Boolean.TRUE.equals(result.removed())
                            ? "deleted: container " + result.container() + " stopped and removed"
                            : "nothing to delete: no container " + result.container());
                }
            }
            return 0;
        }
    }

    /** The first line of every history: what it answers for, so that no one reads an empty one as "nothing served". */
    static final String AKS_ONLY = "AKS deployments only (target aks): local deployments (target local) are not part of this history";

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "AKS deployments only (target aks; local deployments are not part of it): which image, model and "
                    + "snapshot served in which namespace when, from .powerai/audit.jsonl, and with --cluster from the "
                    + "ReplicaSets the cluster keeps. --at TIME answers what served at that instant.")
    static final class History implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        PowerAiCommand.Common common;
        @Option(names = "--at", paramLabel = "TIME", description = "An instant, e.g. 2026-11-26T18:00:00Z: what served then.")
        String at;
        @Option(names = "--cluster", description = "Also read the cluster's revision history (needs its credentials).")
        boolean cluster;
        @Option(names = "--json", description = "Print JSON instead of lines.")
        boolean json;

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) spec.root().userObject();
            Optional<Instant> instant = Optional.empty();
            if (at != null) {
                try {
                    instant = Optional.of(Instant.parse(at));
                } catch (DateTimeParseException e) {
                    throw PowerAiException.InvalidInput.bare("'--at' must be an ISO-8601 instant such as "
                            + "2026-11-26T18:00:00Z; got '" + at + "'");
                }
            }
            StageContext ctx = aksContext(top, common);
            String name = ctx.spec().name();
            List<RunHistory.Deployment> changes = AksHistory.fromAudit(ctx.workspace().audit().file(), name);
            List<AksHistory.Revision> revisions = null;
            if (cluster) {
                try (KubeConnection connection = AksDeployment.Connector.of(top.runEnvironment().cluster()).open(ctx.spec().deploy().aks(),
                        ctx.events().forStage(Stage.DEPLOY.stepName()))) {
                    revisions = AksHistory.fromCluster(connection.client(), ctx.spec().deploy().aks().namespace(), name);
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    throw PowerAiException.InfrastructureUnavailable.bare("cannot read the cluster's revision history: "
                            + e.getMessage(), e);
                }
            }
            if (json) {
                Map<String, Object> answer = new java.util.LinkedHashMap<>();
                answer.put("targets", List.of("aks"));
                answer.putAll(AksHistory.toMap(changes, revisions, instant));
                top.console.line(Json.pretty(answer).stripTrailing());
                return 0;
            }
            top.console.line(AKS_ONLY + ("local".equals(ctx.spec().deploy().target())
                    ? "; the deploy section of " + name + " targets local" : ""));
            if ("local".equals(ctx.spec().deploy().target())) {
                top.console.line("local deployments: powerai history DIR [--at TIME] (the container's own record and the runs' logs)");
            }
            if (instant.isPresent()) {
                Instant when = instant.get();
                Map<String, RunHistory.Deployment> served = AksHistory.servingAt(changes, when);
                if (served.isEmpty()) {
                    top.console.line("at " + when + ": the audit log " + ctx.workspace().audit().file()
                            + " records no AKS deployment of " + name + " at or before that time");
                }
                served.forEach((ns, c) -> top.console.line("at " + when + " " + ns + "/" + c.service() + " served: "
                        + Deployments.describeServing(c.serving()) + "  (" + c.action() + " " + c.status() + " at " + c.time()
                        + ", audit record " + c.seq() + ")"));
                if (revisions != null) {
                    AksHistory.heldAt(revisions, when).forEach((deployment, r) -> top.console.line("  the cluster: "
                            + deployment + " held revision " + r.revision() + " (" + r.image() + ", model " + r.modelSha256() + ")"));
                }
                return 0;
            }
            top.console.line("audit log " + ctx.workspace().audit().file() + ": " + changes.size() + " change(s) of " + name);
            changes.forEach(c -> top.console.line(AksHistory.line(c)));
            if (revisions != null) {
                top.console.line("cluster: " + revisions.size() + " ReplicaSet(s) of " + name + " in namespace "
                        + ctx.spec().deploy().aks().namespace());
                revisions.forEach(r -> top.console.line(AksHistory.line(r)));
            }
            return 0;
        }
    }
}
