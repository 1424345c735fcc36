package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import com.microsoft.azure.util.AzureCredentials;
import hudson.util.ListBoxModel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * The global configuration's credential-id drop-downs: administrators choose among the matching credentials, anyone
 * else sees only the saved value (the credentials plugin's own rule); POST only; a select in the form. Jenkins does not
 * run here: a fake lookup stands in for Jenkins.get() and StandardListBoxModel and records what was asked.
 */
class CredentialItemsTest {

    /** Answers with a description of the call, so the test sees which fill ran with what. */
    private static final class FakeLookup implements CredentialItems.Lookup<String> {
        final boolean administrator;
        final List<String> calls = new ArrayList<>();

        FakeLookup(boolean administrator) {
            this.administrator = administrator;
        }

        @Override
        public boolean canAdminister() {
            calls.add("canAdminister");
            return administrator;
        }

        @Override
        public String currentValueOnly(String value) {
            calls.add("currentValueOnly " + value);
            return "only '" + value + "'";
        }

        @Override
        public String matching(Class<? extends StandardCredentials> type, String value) {
            calls.add("matching " + type.getSimpleName() + " " + value);
            return "empty, every " + type.getSimpleName() + ", '" + value + "'";
        }
    }

    @Test
    void anAdministrator_choosesAmongTheCredentialsOfTheKindTheStepBinds() {
        FakeLookup jenkins = new FakeLookup(true);

        assertThat(CredentialItems.fill(jenkins, "registryCredentialsId", "acr-push"))
                .isEqualTo("empty, every StandardUsernamePasswordCredentials, 'acr-push'");
        assertThat(CredentialItems.fill(jenkins, "kubeconfigCredentialsId", null)).isEqualTo("empty, every FileCredentials, ''");
        assertThat(CredentialItems.fill(jenkins, "azureCredentialsId", "azure-sp")).isEqualTo("empty, every AzureCredentials, 'azure-sp'");
        assertThat(CredentialItems.fill(jenkins, "signingCredentialsId", "pem")).isEqualTo("empty, every FileCredentials, 'pem'");
        assertThat(jenkins.calls).doesNotContain("currentValueOnly acr-push");
    }

    @Test
    void anyoneElse_seesOnlyTheSavedValue_andNoCredentialIsListed() {
        FakeLookup jenkins = new FakeLookup(false);

        for (String field : List.of("registryCredentialsId", "azureCredentialsId", "kubeconfigCredentialsId", "signingCredentialsId")) {
            assertThat(CredentialItems.fill(jenkins, field, "saved-id")).isEqualTo("only 'saved-id'");
        }
        assertThat(jenkins.calls).noneMatch(call -> call.startsWith("matching"));
    }

    @Test
    void eachFieldsKind_isWhatItsBindingReads() {
        assertThat(CredentialItems.TYPES).containsOnlyKeys("registryCredentialsId", "azureCredentialsId", "kubeconfigCredentialsId",
                "signingCredentialsId");
        assertThat(CredentialItems.TYPES.get("signingCredentialsId")).as("a secret file, bound to POWERAI_SIGNING_KEY").isEqualTo(FileCredentials.class);
        assertThat(CredentialItems.TYPES.get("registryCredentialsId")).isEqualTo(StandardUsernamePasswordCredentials.class);
        assertThat(CredentialItems.TYPES.get("kubeconfigCredentialsId")).isEqualTo(FileCredentials.class);
        assertThat(CredentialItems.TYPES.get("azureCredentialsId")).isEqualTo(AzureCredentials.class);
        assertThatThrownBy(() -> CredentialItems.fill(new FakeLookup(true), "engine", "docker"))
                .isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"registryCredentialsId", "azureCredentialsId", "kubeconfigCredentialsId", "signingCredentialsId"})
    void theFillMethod_isPostOnly_takesTheSavedValue_andTheFormShowsASelect(String field) throws Exception {
        String name = "doFill" + Character.toUpperCase(field.charAt(0)) + field.substring(1) + "Items";
        Method fill = PoweraiGlobalConfiguration.class.getMethod(name, String.class);

        assertThat(fill.isAnnotationPresent(POST.class)).as("@POST on %s", name).isTrue();
        assertThat(fill.getReturnType()).isEqualTo(ListBoxModel.class);
        assertThat(fill.getParameters()[0].isAnnotationPresent(QueryParameter.class)).isTrue();
        try (InputStream in = getClass().getResourceAsStream("/io/powerai/jenkins/plugin/PoweraiGlobalConfiguration/config.jelly")) {
            String jelly = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jelly).containsPattern("field=\"" + field + "\">\\s*<f:select/>");
        }
    }

    @Test
    void theRealLookup_isTheOneTheConfigurationUses() throws IOException {
        // Jenkins.get() exists only in a running Jenkins; what can be checked here is that the methods delegate to it.
        String source = java.nio.file.Files.readString(java.nio.file.Path.of(
                "src/main/java/io/powerai/jenkins/plugin/PoweraiGlobalConfiguration.java"));
        assertThat(source).contains("CredentialItems.fill(CredentialItems.JENKINS, \"registryCredentialsId\", value)",
                "CredentialItems.fill(CredentialItems.JENKINS, \"azureCredentialsId\", value)",
                "CredentialItems.fill(CredentialItems.JENKINS, \"kubeconfigCredentialsId\", value)",
                "CredentialItems.fill(CredentialItems.JENKINS, \"signingCredentialsId\", value)");
    }
}
