package org.jenkinsci.plugins.workflow.steps;

/** Declaration only (workflow-step-api): {@link #run()} runs on a pool thread, not the CPS VM thread. */
@SuppressWarnings("serial")
public abstract class SynchronousNonBlockingStepExecution<T> extends StepExecution {
    protected SynchronousNonBlockingStepExecution(StepContext context) {
        super(context);
    }

    protected abstract T run() throws Exception;

    @Override
    public final boolean start() throws Exception {
        throw new UnsupportedOperationException("declaration only");
    }
}
