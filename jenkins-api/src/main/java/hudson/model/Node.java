package hudson.model;

import hudson.ExtensionPoint;
import hudson.FilePath;

/** Declaration only (jenkins-core 2.579); only the members plugin/ uses. Most supertypes left out. */
public abstract class Node implements ExtensionPoint {
    public abstract FilePath getRootPath();
}
