package hudson.model;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Supertypes left out. */
public abstract class Actionable {
    public boolean addOrReplaceAction(Action a) {
        throw new UnsupportedOperationException("declaration only");
    }

    public <T extends Action> T getAction(Class<T> type) {
        throw new UnsupportedOperationException("declaration only");
    }
}
