package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.kubernetes.TrainingPodTemplate;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code powerai pod-template}: the training pod for Jenkins' kubernetes plugin, printed as YAML. */
@Command(name = "pod-template", mixinStandardHelpOptions = true,
        description = "Print the pod YAML a training runs in on a Kubernetes agent: the snapshot image, nvidia.com/gpu "
                + "limits and GPU node-pool tolerations (for podTemplate(yaml: ...)).")
final class PodTemplateCommand implements Callable<Integer> {
    @ParentCommand
    PowerAiCommand top;
    @Mixin
    PowerAiCommand.Common common;
    @Option(names = "--image", paramLabel = "REF", description = "Image of the training container (default: the spec's image, else the last snapshot's).")
    String image;

    @Override
    public Integer call() {
        StageContext ctx = common.context(top, Stage.TRAIN);
        ctx.spec().require(Stage.TRAIN);
        String ref = image != null ? image : common.specImage;
        if (ref == null) {
            ref = ctx.workspace().requireResult(Stage.SNAPSHOT, SnapshotResult.class, Stage.TRAIN).image();
        }
        if (ref == null || ref.isBlank()) {
            throw new PowerAiException.InvalidInput("gpuTrain: 'image' is required for a pod template (or run the snapshot first)");
        }
        top.console.line(TrainingPodTemplate.render(ctx.spec().name(), ref, ctx.spec().train()).stripTrailing());
        return 0;
    }
}
