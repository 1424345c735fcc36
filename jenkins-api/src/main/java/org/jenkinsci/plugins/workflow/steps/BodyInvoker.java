package org.jenkinsci.plugins.workflow.steps;

/** Declaration only (workflow-step-api): named by {@link StepContext#newBodyInvoker()}; members left out. */
public abstract class BodyInvoker {
    // The real class declares no constructor: javac gives it a public one.
    public BodyInvoker() {
    }
}
