package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.StepParameters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code powerai step-parameters STEP}: the parameters a pipeline step accepts, one a line. */
@Command(name = "step-parameters", mixinStandardHelpOptions = true,
        description = "List the parameters a pipeline step (amlEnvSnapshot, gpuTrain, scoringImage, aksDeploy) accepts in --spec.")
final class StepParametersCommand implements Callable<Integer> {
    @ParentCommand
    PowerAiCommand top;
    @Parameters(index = "0", paramLabel = "STEP")
    String step;
    @picocli.CommandLine.Option(names = "--step-names", description = "The names the Jenkins steps take (camelCase, each "
            + "with its pipeline-file key), instead of the pipeline file's keys.")
    boolean stepNames;

    @Override
    public Integer call() {
        Stage stage = Arrays.stream(Stage.values()).filter(s -> s.stepName().equals(step)).findFirst()
                .orElseThrow(() -> new PowerAiException.InvalidInput("step-parameters: 'STEP' must be one of "
                        + Arrays.stream(Stage.values()).map(Stage::stepName).collect(Collectors.joining(", ")) + "; got '" + step + "'"));
        if (stepNames) {
            // One rule, one to one: the step's camelCase name and the file's snake_case key.
            PipelineSpec.stepParameters(stage).forEach(key -> top.console.line(StepParameters.stepName(key) + " " + key));
        } else {
            PipelineSpec.stepParameters(stage).forEach(top.console::line);
        }
        return 0;
    }
}
