package hudson.model;

/** Declaration only (jenkins-core 2.579). */
public interface ModelObject {
    String getDisplayName();
}
