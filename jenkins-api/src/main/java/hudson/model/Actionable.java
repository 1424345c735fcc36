package hudson.model;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Supertypes left out. */
public abstract class Actionable {
    public boolean addOrReplaceAction(Action a) {
        throw new UnsupportedOperationException("declaration only");
    }
}
