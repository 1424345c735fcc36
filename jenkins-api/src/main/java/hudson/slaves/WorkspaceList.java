package hudson.slaves;

import hudson.FilePath;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. */
public final class WorkspaceList {
    public WorkspaceList() {
        throw new UnsupportedOperationException("declaration only");
    }

    public static FilePath tempDir(FilePath ws) {
        throw new UnsupportedOperationException("declaration only");
    }
}
