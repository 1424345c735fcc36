package hudson.model;

/** Declaration only (jenkins-core 2.579: {@code getDescriptor()} is a default method since 2.505). */
public interface Describable<T extends Describable<T>> {
    default Descriptor<T> getDescriptor() {
        throw new UnsupportedOperationException("declaration only");
    }
}
