package hudson.model;

/** Declaration only (jenkins-core 2.579; deprecated there since 2.505, still the superclass of Step). */
@Deprecated
public abstract class AbstractDescribableImpl<T extends AbstractDescribableImpl<T>> implements Describable<T> {
}
