package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.stage.deploy.DeployTarget;
import io.powerai.core.stage.deploy.DeployTargets;
import io.powerai.core.pipeline.Pipeline;
import io.powerai.core.result.DeploymentResult;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.environment.EnvironmentSnapshot;
import io.powerai.core.stage.StageContext;
import io.powerai.core.stage.scoring.ScoringImage;
import io.powerai.core.stage.training.TrainingRun;
import io.powerai.core.stage.training.backend.KubernetesTraining;
import io.powerai.core.stage.training.backend.PodTraining;
import io.powerai.core.stage.training.backend.TrainingBackend;
import io.powerai.core.workspace.WorkspaceLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.Map;
import java.util.concurrent.Callable;

/** One subcommand per stage, and {@code run} for all of them: each parses, builds the context, calls the core. */
final class StageCommands {
    private StageCommands() {
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "EO: pin the environment section into a Dockerfile on a base pinned by digest, build and push "
                    + "<registry>/<name>-env:<snapshot id> (skipped when the registry has it), record the digest.",
            subcommands = {SnapshotCommands.Diff.class, SnapshotCommands.Verify.class})
    static final class Snapshot implements Callable<Integer> {
        @ParentCommand
        PowerAiCommand top;
        @Mixin
        PowerAiCommand.Common common;

        @Override
        public Integer call() {
            StageContext ctx = common.context(top, Stage.SNAPSHOT);
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.SNAPSHOT)) {
                top.console.line("image: " + EnvironmentSnapshot.run(ctx).image());
            }
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "e13n: run the training script in the snapshot image (here, or with backend kubernetes as a Job on a "
                    + "cluster); code and data read-only, outputs hashed, metrics from JSON lines {\"metric\": NAME, \"value\": NUMBER} on stdout.")
    static final class Train implements Callable<Integer> {
        @ParentCommand
        PowerAiCommand top;
        @Mixin
        PowerAiCommand.Common common;
        @Option(names = "--image", paramLabel = "REF", description = "Image to train in (default: the last snapshot's, pinned by digest).")
        String image;
        @Option(names = "--pod", paramLabel = "PART", description = "On a Jenkins Kubernetes agent pod (from 'powerai pod-template'): "
                + "'prepare' writes the runner for the pod's training container, which the step runs there with python3; "
                + "'record' records what it left. Both run in the agent container.")
        String pod;
        @Option(names = "--dry-run", description = "Backend kubernetes: print the Job and the ConfigMap of the project's files "
                + "(multi-document YAML), contacting nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            if (pod != null) {
                return pod();
            }
            StageContext ctx = common.context(top, Stage.TRAIN); // reads the spec, and with it the image a spec file names
            String ref = image != null ? image : common.specImage;
            ctx.spec().require(Stage.TRAIN);
            TrainingBackend backend = TrainingBackend.of(ctx, top.runEnvironment().cluster());
            if (dryRun) {
                if (!(backend instanceof KubernetesTraining job)) {
                    throw PowerAiException.InvalidInput.bare("'--dry-run' prints the Kubernetes Job of backend 'kubernetes'; "
                            + "the backend is '" + ctx.spec().train().backend() + "'");
                }
                top.console.line(job.dryRun(ref).stripTrailing());
                return 0;
            }
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.TRAIN)) {
                TrainingResult result = TrainingRun.run(backend, ctx, ref);
                top.console.line("metrics: " + result.metrics());
            }
            return 0;
        }

        private Integer pod() {
            switch (pod) {
                case "prepare" -> {
                    StageContext ctx = common.context(top, Stage.TRAIN);
                    Map<String, Object> prepared = new PodTraining(ctx).prepare(image != null ? image : common.specImage);
                    top.console.line("run in container '" + prepared.get("container") + "': python3 " + prepared.get("runner") + " "
                            + prepared.get("config"));
                }
                case "record" -> {
                    TrainingResult result = TrainingRun.recordAgentPod(common.context(top, Stage.TRAIN));
                    top.console.line("metrics: " + result.metrics());
                }
                default -> throw PowerAiException.InvalidInput.bare("'--pod' must be 'prepare' or 'record'; got '" + pod + "'");
            }
            return 0;
        }
    }

    @Command(name = "scoring-image", mixinStandardHelpOptions = true,
            description = "SS: build the inference image (snapshot image + model + score.py + scoring server), smoke-test it "
                    + "with the sample request, push it, record the digest.")
    static final class ScoringImageCommand implements Callable<Integer> {
        @ParentCommand
        PowerAiCommand top;
        @Mixin
        PowerAiCommand.Common common;

        @Override
        public Integer call() {
            StageContext ctx = common.context(top, Stage.SCORING_IMAGE);
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.SCORING_IMAGE)) {
                top.console.line("image: " + ScoringImage.run(ctx).image());
            }
            return 0;
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "o16n: run the scoring image as a service, wait until it is live, smoke-test it, print the URL; "
                    + "on failure the previous version is restored.",
            subcommands = {DeployCommands.Promote.class, DeployCommands.Rollback.class, DeployCommands.History.class,
                    DeployCommands.Delete.class})
    static final class Deploy implements Callable<Integer> {
        @ParentCommand
        PowerAiCommand top;
        @Mixin
        PowerAiCommand.Common common;
        @Option(names = "--image", paramLabel = "REF", description = "Scoring image to deploy (default: the last scoring image, pinned by digest).")
        String image;
        @Option(names = "--target", paramLabel = "TARGET", description = "Overrides deploy.target: local or aks.")
        String target;
        @Option(names = "--dry-run", description = "Target aks: print the Kubernetes manifests (multi-document YAML), contacting nothing.")
        boolean dryRun;
        @Option(names = "--gate-only", description = "Run the promotion gate (deploy.gate) alone, changing nothing: exit 0 when "
                + "the new model may replace the serving one, 1 when the serving one stays.")
        boolean gateOnly;

        @Override
        public Integer call() {
            StageContext ctx = common.context(top, Stage.DEPLOY);
            if (gateOnly) {
                // Reads the target, changes nothing: no workspace lock, so it can run beside a deploy in progress.
                String deployed = image != null ? image : common.specImage;
                io.powerai.core.spec.PromotionGate.Decision decision = DeployTargets.of(ctx, top.runEnvironment(), target).gate(deployed);
                if (!decision.passes()) {
                    top.err.println("aksDeploy: " + decision.line());
                    return 1;
                }
                return 0;
            }
            if (dryRun) {
                return DeployCommands.dryRun(top, ctx, image != null ? image : common.specImage);
            }
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.DEPLOY)) {
                DeployCommands.requireProvenance(top, ctx, image != null ? image : common.specImage);
                DeployTarget deployTarget = DeployTargets.of(ctx, top.runEnvironment(), target);
                DeploymentResult result = deployTarget.deploy(image != null ? image : common.specImage);
                if (deployTarget.name().equals(DeployTargets.AKS)) {
                    DeployCommands.printWhereItServes(top, result);
                    return 0;
                }
                top.console.line("scoring URL: " + result.scoringUrl());
                if (result.metricsUrl() != null) {
                    top.console.line("metrics URL: " + result.metricsUrl() + " (this host only)");
                }
            }
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "All stages that DIR/powerai.yaml configures: snapshot, train, scoring-image, deploy.")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        PowerAiCommand top;
        @Mixin
        PowerAiCommand.Common common;

        @Override
        public Integer call() {
            StageContext context = common.context(top, null);
            Map<String, Map<String, Object>> results;
            try (WorkspaceLock ignored = common.lock(top, context, null)) {
                results = Pipeline.run(context, top.runEnvironment(), image -> DeployCommands.requireProvenance(top, context, image));
            }
            top.console.line("");
            top.console.line("environment:   " + results.get("amlEnvSnapshot").get("image"));
            top.console.line("training:      metrics " + results.get("gpuTrain").get("metrics"));
            if (results.containsKey("scoringImage")) {
                top.console.line("scoring image: " + results.get("scoringImage").get("image"));
            }
            if (results.containsKey("aksDeploy")) {
                // Written by this run: the typed record of the file, not the map Pipeline hands back.
                DeploymentResult deploy = context.workspace().requireResult(Stage.DEPLOY, DeploymentResult.class, Stage.DEPLOY);
                top.console.line("scoring URL:   " + deploy.scoringUrl());
                if (deploy.smokeTestAnswer() != null) {
                    top.console.line("prediction:    " + deploy.smokeTestAnswer());
                }
            }
            return 0;
        }
    }
}
