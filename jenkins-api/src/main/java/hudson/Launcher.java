package hudson;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. */
public abstract class Launcher {
    protected Launcher(Launcher launcher) {
        throw new UnsupportedOperationException("declaration only");
    }

    public boolean isUnix() {
        throw new UnsupportedOperationException("declaration only");
    }
}
