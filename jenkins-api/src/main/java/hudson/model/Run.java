package hudson.model;

import hudson.ExtensionPoint;
import java.io.File;
import java.io.IOException;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Most interfaces left out. */
public abstract class Run<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> extends Actionable
        implements ExtensionPoint, Comparable<RunT> {
    protected Run(JobT job) throws IOException {
        throw new UnsupportedOperationException("declaration only");
    }

    public File getRootDir() {
        throw new UnsupportedOperationException("declaration only");
    }

    public int getNumber() {
        throw new UnsupportedOperationException("declaration only");
    }

    public RunT getPreviousBuild() {
        throw new UnsupportedOperationException("declaration only");
    }
}
