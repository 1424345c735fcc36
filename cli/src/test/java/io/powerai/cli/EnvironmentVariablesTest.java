package io.powerai.cli;

import io.powerai.core.attest.Builder;
import io.powerai.core.build.BuildInfo;
import io.powerai.core.kubernetes.ClusterCredentials;
import io.powerai.core.registry.Credentials;
import io.powerai.core.stage.RunEnvironment;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI reads Jenkins' variables and the credential bindings once, into the typed values the core takes. */
class EnvironmentVariablesTest {

    @Test
    void aJenkinsBuild_withEveryCredential() {
        RunEnvironment environment = EnvironmentVariables.runEnvironment(Map.of(
                "JOB_NAME", "ml/svm", "BUILD_TAG", "jenkins-ml-svm-7", "BUILD_URL", "https://ci.example.org/job/ml/job/svm/7/",
                "POWERAI_REGISTRY_USERNAME", "robot", "POWERAI_REGISTRY_PASSWORD", "pa55",
                "KUBECONFIG", "/tmp/secret-file", "AZURE_CLIENT_ID", "c", "AZURE_CLIENT_SECRET", "s3cret", "AZURE_TENANT_ID", "t",
                "POWERAI_AZ", "/opt/az/bin/az"));

        assertThat(environment.build()).isEqualTo(new BuildInfo("ml/svm", "jenkins-ml-svm-7", "https://ci.example.org/job/ml/job/svm/7/"));
        assertThat(environment.registry()).isEqualTo(new Credentials("robot", "pa55"));
        assertThat(environment.cluster().kubeconfig()).isEqualTo("/tmp/secret-file");
        assertThat(environment.cluster().azure()).isEqualTo(new ClusterCredentials.ServicePrincipal("c", "s3cret", "t", null));
        assertThat(environment.cluster().azCommand()).isEqualTo("/opt/az/bin/az");
        assertThat(environment.toString()).as("no secret in a typed value's text").doesNotContain("pa55").doesNotContain("s3cret");
    }

    @Test
    void aTerminal_withNothingSet() {
        RunEnvironment environment = EnvironmentVariables.runEnvironment(Map.of("BUILD_URL", " ", "KUBECONFIG", ""));

        assertThat(environment.build()).isEqualTo(BuildInfo.NONE);
        assertThat(environment.build().inJenkins()).isFalse();
        assertThat(environment.registry()).isNull();
        assertThat(environment.cluster()).isEqualTo(ClusterCredentials.NONE);
        assertThat(environment.cluster().azCommand()).isEqualTo("az");
    }

    @Test
    void theProvenancesBuilder_isTheJenkinsJobInJenkins_elseHostAndUser() {
        Builder inJenkins = Attestation.attestor(Map.of("BUILD_URL", "https://ci.example.org/job/demo/7/", "JOB_NAME", "demo",
                "HOSTNAME", "agent-1", "USER", "jenkins")).builder();
        assertThat(inJenkins.id()).isEqualTo("https://ci.example.org/job/demo/");
        assertThat(inJenkins.jobName()).isEqualTo("demo");

        Builder local = Attestation.attestor(Map.of("JOB_NAME", "ignored-without-url", "HOSTNAME", "box 1", "USER", "ana")).builder();
        assertThat(local.id()).isEqualTo("urn:powerai:builder:local:ana@box+1");
    }
}
