package hudson.model;

import hudson.ExtensionPoint;

/** Declaration only (jenkins-core 2.579): the bound of {@link Run}'s type parameters. Superclass left out. */
public abstract class Job<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> implements ExtensionPoint {
    // The real constructor is protected and takes an ItemGroup, which plugin/ does not use; this one has its access.
    protected Job() {
    }

    public RunT getLastBuild() {
        throw new UnsupportedOperationException("declaration only");
    }
}
