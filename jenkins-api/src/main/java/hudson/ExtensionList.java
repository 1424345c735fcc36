package hudson;

import java.util.AbstractList;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Supertype {@code OnMaster} left out. */
public class ExtensionList<T> extends AbstractList<T> {
    // The real constructors take types plugin/ does not use; this one only keeps javac from adding a public one.
    private ExtensionList() {
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
