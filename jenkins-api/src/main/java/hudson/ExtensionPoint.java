package hudson;

/** Declaration only (jenkins-core 2.579): a marker interface. */
public interface ExtensionPoint {
}
