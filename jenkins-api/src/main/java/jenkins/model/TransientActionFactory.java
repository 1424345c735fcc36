package jenkins.model;

import hudson.ExtensionPoint;
import hudson.model.Action;

import java.util.Collection;

/** Declaration only (jenkins-core 2.579): actions added to every object of a type, computed when shown. */
public abstract class TransientActionFactory<T> implements ExtensionPoint {
    public abstract Class<T> type();

    public Class<? extends Action> actionType() {
        throw new UnsupportedOperationException("declaration only");
    }

    public abstract Collection<? extends Action> createFor(T target);
}
