package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.powerai.jenkins.plugin.summary.StageSummary;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** poweraiSummary: its arguments, its messages, and the build action that holds every stage's entry. */
class SummaryStepTest {

    @Test
    void functionName_andContext_needOnlyTheBuild() {
        PoweraiSummaryStep.DescriptorImpl descriptor = new PoweraiSummaryStep.DescriptorImpl();
        assertThat(descriptor.getFunctionName()).isEqualTo("poweraiSummary");
        assertThat(Set.<Class<?>>copyOf(descriptor.getRequiredContext())).containsExactlyInAnyOrder(Run.class, TaskListener.class);
    }

    @Test
    void badArguments_endTheStepWithOneLine_beforeTouchingTheBuild() {
        PoweraiSummaryStep step = new PoweraiSummaryStep("gpuTrain");
        step.setResult("../secrets.json");
        PoweraiSummaryStep.Execution execution = (PoweraiSummaryStep.Execution) step.start(new FakeStepContext());

        assertThatThrownBy(execution::run).isExactlyInstanceOf(AbortException.class)
                .hasMessageStartingWith("poweraiSummary: 'result' must be an archived file's path relative to the workspace");
    }

    @Test
    void outsideABuild_endsWithAMessage() {
        PoweraiSummaryStep step = new PoweraiSummaryStep("gpuTrain");
        step.setResult(".powerai/gpuTrain.json");
        PoweraiSummaryStep.Execution execution = (PoweraiSummaryStep.Execution) step.start(new FakeStepContext());

        assertThatThrownBy(execution::run).isExactlyInstanceOf(AbortException.class)
                .hasMessage("poweraiSummary: needs the build (call it from a pipeline)");
    }

    @Test
    void theAction_keepsEveryStagesEntryInOrder_andHasNoPageOfItsOwn() throws AbortException {
        PoweraiSummaryAction action = new PoweraiSummaryAction();
        for (String stage : new String[] {"amlEnvSnapshot", "gpuTrain"}) {
            PoweraiSummaryStep step = new PoweraiSummaryStep(stage);
            step.setText("[" + stage + "] succeeded");
            step.setResult(".powerai/" + stage + ".json");
            action.add(step.entry());
        }

        assertThat(action.getEntries()).extracting(StageSummary::getStage).containsExactly("amlEnvSnapshot", "gpuTrain");
        assertThat(action.getEntries().get(1).getLinks().get(0).getHref()).isEqualTo("artifact/.powerai/gpuTrain.json");
        assertThat(action.getIconFileName()).isNull();
        assertThat(action.getDisplayName()).isNull();
        assertThat(action.getUrlName()).isNull();
    }
}
