package hudson.model;

/** Declaration only (jenkins-core 2.579): a group of items, the context credentials are listed in. Real: {@code ItemGroup<T extends Item>}. */
public interface ItemGroup<T> {
}
