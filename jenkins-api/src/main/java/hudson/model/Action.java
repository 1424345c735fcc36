package hudson.model;

/** Declaration only (jenkins-core 2.579); the default methods of recent cores are left out. */
public interface Action extends ModelObject {
    String getIconFileName();

    @Override
    String getDisplayName();

    String getUrlName();
}
