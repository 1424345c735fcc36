package io.powerai.jenkins.plugin;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import com.microsoft.azure.util.AzureCredentials;
import hudson.security.ACL;
import hudson.util.ListBoxModel;
import java.util.List;
import java.util.Map;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;

/**
 * The global configuration's credential-id drop-downs, filled as the credentials plugin's own fields are: an
 * administrator sees the ids of the matching credentials (as the system, in Jenkins' own store), anyone else only
 * the value already saved, so that no id list leaks to a user who cannot configure the system.
 */
final class CredentialItems {
    /** Each field's kind of credentials: what the step's withCredentials binding reads. */
    static final Map<String, Class<? extends StandardCredentials>> TYPES = Map.of(
            "registryCredentialsId", StandardUsernamePasswordCredentials.class, // usernamePassword
            "azureCredentialsId", AzureCredentials.class, // azureServicePrincipal
            "kubeconfigCredentialsId", FileCredentials.class, // file
            "signingCredentialsId", FileCredentials.class); // file, bound to POWERAI_SIGNING_KEY

    /** Jenkins, or a test's stand-in: who may list, and the two ways to fill. */
    interface Lookup<M> {
        boolean canAdminister();

        M currentValueOnly(String value);

        M matching(Class<? extends StandardCredentials> type, String value);
    }

    /** The drop-down's items for {@code field}, whose saved value is {@code value}. */
    static <M> M fill(Lookup<M> lookup, String field, String value) {
        Class<? extends StandardCredentials> type = TYPES.get(field);
        if (type == null) {
            throw new IllegalArgumentException("not a credentials field: " + field);
        }
        String current = value == null ? "" : value;
        return lookup.canAdminister() ? lookup.matching(type, current) : lookup.currentValueOnly(current);
    }

    /** The real lookup: the permission check and StandardListBoxModel of the credentials plugin. */
    static final Lookup<ListBoxModel> JENKINS = new Lookup<>() {
        @Override
        public boolean canAdminister() {
            return Jenkins.get().hasPermission(Jenkins.ADMINISTER);
        }

        @Override
        public ListBoxModel currentValueOnly(String value) {
            return new StandardListBoxModel().includeCurrentValue(value);
        }

        @Override
        @SuppressWarnings("deprecation") // ACL.SYSTEM2's type (Spring Security) is not declared in jenkins-api
        public ListBoxModel matching(Class<? extends StandardCredentials> type, String value) {
            return new StandardListBoxModel().includeEmptyValue()
                    .includeMatchingAs(ACL.SYSTEM, Jenkins.get(), type, List.of(), CredentialsMatchers.always())
                    .includeCurrentValue(value);
        }
    };

    private CredentialItems() {
    }
}
