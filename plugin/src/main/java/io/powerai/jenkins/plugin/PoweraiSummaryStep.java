package io.powerai.jenkins.plugin;

import hudson.AbortException;
import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.powerai.jenkins.plugin.summary.StageSummary;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code poweraiSummary(stage: 'gpuTrain', text: '...', result: '.powerai/gpuTrain.json', log: ..., chart: ...)}:
 * adds the stage's line, with links to its archived files, to the build page. The library's steps call it after
 * archiving; without this plugin they print the same in the build log. Glue only: StageSummary decides.
 */
public class PoweraiSummaryStep extends Step {
    public static final String FUNCTION_NAME = "poweraiSummary";

    private final String stage;
    private String text;
    private String result;
    private String log;
    private String chart;

    @DataBoundConstructor
    public PoweraiSummaryStep(String stage) {
        this.stage = stage;
    }

    public String getStage() {
        return stage;
    }

    public String getText() {
        return text;
    }

    @DataBoundSetter
    public void setText(String text) {
        this.text = text;
    }

    public String getResult() {
        return result;
    }

    /** The stage's result file, relative to the workspace, as archived. */
    @DataBoundSetter
    public void setResult(String result) {
        this.result = result;
    }

    public String getLog() {
        return log;
    }

    @DataBoundSetter
    public void setLog(String log) {
        this.log = log;
    }

    public String getChart() {
        return chart;
    }

    @DataBoundSetter
    public void setChart(String chart) {
        this.chart = chart;
    }

    /** The entry this call records; the one-line message of every problem when an argument breaks a rule. */
    StageSummary entry() throws AbortException {
        try {
            return StageSummary.of(FUNCTION_NAME, stage, text, result, log, chart);
        } catch (IllegalArgumentException e) {
            throw new AbortException(e.getMessage());
        }
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Void> {
        private static final long serialVersionUID = 1L;
        private final transient PoweraiSummaryStep step;

        Execution(StepContext context, PoweraiSummaryStep step) {
            super(context);
            this.step = step;
        }

        @Override
        protected Void run() throws Exception {
            StageSummary entry = step.entry();
            Run<?, ?> run = getContext().get(Run.class);
            if (run == null) {
                throw new AbortException(FUNCTION_NAME + ": needs the build (call it from a pipeline)");
            }
            // One action per build holding every stage's entry: addOrReplaceAction keeps one per class.
            synchronized (run) {
                PoweraiSummaryAction action = run.getAction(PoweraiSummaryAction.class);
                if (action == null) {
                    action = new PoweraiSummaryAction();
                    run.addOrReplaceAction(action);
                }
                action.add(entry);
            }
            return null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION_NAME;
        }

        @Override
        public String getDisplayName() {
            return "Add a powerai stage's summary, with links to its archived files, to the build page";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
