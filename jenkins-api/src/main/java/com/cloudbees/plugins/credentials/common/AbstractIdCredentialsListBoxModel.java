package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.domains.DomainRequirement;
import hudson.model.ItemGroup;
import hudson.util.ListBoxModel;
import java.util.List;

/** Declaration only (credentials plugin): a credential-id drop-down's items; only the members plugin/ uses. */
@SuppressWarnings({"serial", "rawtypes"})
public abstract class AbstractIdCredentialsListBoxModel<T extends AbstractIdCredentialsListBoxModel<T, C>, C extends IdCredentials>
        extends ListBoxModel {
    public AbstractIdCredentialsListBoxModel<T, C> includeEmptyValue() {
        throw new UnsupportedOperationException("declaration only");
    }

    /** The Acegi overload (deprecated there): the Spring Security one takes a type jenkins-api does not declare. */
    @Deprecated
    public AbstractIdCredentialsListBoxModel<T, C> includeMatchingAs(org.acegisecurity.Authentication authentication,
            ItemGroup context, Class<? extends C> type, List<DomainRequirement> domainRequirements, CredentialsMatcher matcher) {
        throw new UnsupportedOperationException("declaration only");
    }

    public AbstractIdCredentialsListBoxModel<T, C> includeCurrentValue(String value) {
        throw new UnsupportedOperationException("declaration only");
    }
}
