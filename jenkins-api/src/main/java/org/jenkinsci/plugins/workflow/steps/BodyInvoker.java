package org.jenkinsci.plugins.workflow.steps;

/** Declaration only (workflow-step-api): named by {@link StepContext#newBodyInvoker()}; members left out. */
public abstract class BodyInvoker {
    protected BodyInvoker() {
    }
}
