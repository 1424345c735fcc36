package org.jenkinsci.plugins.workflow.steps;

import java.io.Serializable;

/**
 * Declaration only (workflow-step-api); only the members plugin/ uses. The constructor keeps the context and
 * {@link #getContext()} returns it, as the real class does, so that a test with a fake context can reach it.
 */
public abstract class StepExecution implements Serializable {
    private static final long serialVersionUID = 1L;

    private StepContext context;

    protected StepExecution(StepContext context) {
        this.context = context;
    }

    public StepContext getContext() {
        return context;
    }

    public abstract boolean start() throws Exception;
}
