package hudson.model;

import java.io.Serializable;

/** Declaration only (jenkins-core 2.579): named by {@code StepContext.setResult}; members left out. */
public final class Result implements Serializable {
    private static final long serialVersionUID = 1L;

    private Result() {
    }
}
