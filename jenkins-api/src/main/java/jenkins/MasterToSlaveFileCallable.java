package jenkins;

import jenkins.agents.ControllerToAgentFileCallable;

/** Declaration only (jenkins-core 2.579): the base of a file operation run on the agent. */
public abstract class MasterToSlaveFileCallable<T> implements ControllerToAgentFileCallable<T> {
    private static final long serialVersionUID = 1L;
}
