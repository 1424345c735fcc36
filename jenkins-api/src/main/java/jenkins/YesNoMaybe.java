package jenkins;

/** Declaration only (jenkins-core 2.579): the type of {@code Extension.dynamicLoadable()}. */
public enum YesNoMaybe {
    YES,
    NO,
    MAYBE
}
