package org.acegisecurity;

/** Declaration only (jenkins-core 2.579's Acegi compatibility type): only passed on, so no member is declared. */
public interface Authentication {
}
