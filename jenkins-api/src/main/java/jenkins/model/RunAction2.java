package jenkins.model;

import hudson.model.Action;
import hudson.model.Run;

/** Declaration only (jenkins-core 2.579). */
public interface RunAction2 extends Action {
    void onAttached(Run<?, ?> r);

    void onLoad(Run<?, ?> r);
}
