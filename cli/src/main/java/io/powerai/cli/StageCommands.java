package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.EnvironmentSnapshot;
import io.powerai.core.stage.LocalDeployment;
import io.powerai.core.stage.Pipeline;
import io.powerai.core.stage.ScoringImage;
import io.powerai.core.stage.StageContext;
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
                Map<String, Object> result = EnvironmentSnapshot.run(ctx);
                top.console.line("image: " + result.get("image"));
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
            TrainingBackend backend = TrainingBackend.of(ctx, top.environment);
            if (dryRun) {
                if (!(backend instanceof KubernetesTraining job)) {
                    throw new PowerAiException.InvalidInput("gpuTrain: '--dry-run' prints the Kubernetes Job of backend 'kubernetes'; "
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
                default -> throw new PowerAiException.InvalidInput("gpuTrain: '--pod' must be 'prepare' or 'record'; got '" + pod + "'");
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
                Map<String, Object> result = ScoringImage.run(ctx);
                top.console.line("image: " + result.get("image"));
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
                io.powerai.core.deploy.PromotionGate.Decision decision = DeployCommands.target(ctx, target).equals("aks")
                        ? io.powerai.core.deploy.AksDeployment.of(ctx, top.environment).gate(deployed)
                        : LocalDeployment.gate(ctx, deployed);
                if (!decision.passes()) {
                    top.err.println("aksDeploy: " + decision.line());
                    return 1;
                }
                return 0;
            }
            if (dryRun) {
                return DeployCommands.deployAks(top, ctx, image != null ? image : common.specImage, true);
            }
            try (WorkspaceLock ignored = common.lock(top, ctx, Stage.DEPLOY)) {
                DeployCommands.requireProvenance(top, ctx, image != null ? image : common.specImage);
                if (DeployCommands.target(ctx, target).equals("aks")) {
                    return DeployCommands.deployAks(top, ctx, image != null ? image : common.specImage, false);
                }
                Map<String, Object> result = LocalDeployment.run(ctx, image != null ? image : common.specImage);
                top.console.line("scoring URL: " + result.get("scoringUrl"));
                if (result.containsKey("metricsUrl")) {
                    top.console.line("metrics URL: " + result.get("metricsUrl") + " (this host only)");
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
                results = Pipeline.run(context, top.environment, (ctx, image) -> {
                    DeployCommands.requireProvenance(top, ctx, image);
                    return DeployCommands.isAks(ctx)
                            ? io.powerai.core.deploy.AksDeployment.of(ctx, top.environment).deploy(image)
                            : io.powerai.core.stage.LocalDeployment.run(ctx, image);
                });
            }
            top.console.line("");
            top.console.line("environment:   " + results.get("amlEnvSnapshot").get("image"));
            top.console.line("training:      metrics " + results.get("gpuTrain").get("metrics"));
            if (results.containsKey("scoringImage")) {
                top.console.line("scoring image: " + results.get("scoringImage").get("image"));
            }
            if (results.containsKey("aksDeploy")) {
                Map<String, Object> deploy = results.get("aksDeploy");
                top.console.line("scoring URL:   " + deploy.get("scoringUrl"));
                if (deploy.containsKey("smokeTestAnswer")) {
                    top.console.line("prediction:    " + deploy.get("smokeTestAnswer"));
                }
            }
            return 0;
        }
    }
}
