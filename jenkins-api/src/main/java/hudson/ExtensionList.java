package hudson;

import java.util.AbstractList;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Supertype {@code OnMaster} left out. */
public class ExtensionList<T> extends AbstractList<T> {
    // Every real constructor is protected and takes types plugin/ does not use (Jenkins, Hudson); this one has their
    // access, so a subclass here may do no more than with the real class.
    protected ExtensionList() {
        throw new UnsupportedOperationException("declaration only");
    }

    public static <U> U lookupSingleton(Class<U> type) {
        throw new UnsupportedOperationException("declaration only");
    }

    @Override
    public T get(int index) {
        throw new UnsupportedOperationException("declaration only");
    }

    @Override
    public int size() {
        throw new UnsupportedOperationException("declaration only");
    }
}
