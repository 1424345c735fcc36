package com.cloudbees.plugins.credentials.domains;

/** Declaration only (credentials plugin): the type of the (here empty) list of domain requirements. */
public class DomainRequirement {
}
