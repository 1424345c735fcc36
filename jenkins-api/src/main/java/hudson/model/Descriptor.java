package hudson.model;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Interfaces left out. */
public abstract class Descriptor<T extends Describable<T>> {
    protected Descriptor() {
    }

    public String getDisplayName() {
        throw new UnsupportedOperationException("declaration only");
    }

    public synchronized void save() {
        throw new UnsupportedOperationException("declaration only");
    }

    public synchronized void load() {
        throw new UnsupportedOperationException("declaration only");
    }
}
