package io.powerai.jenkins.plugin.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.powerai.jenkins.plugin.config.Check.Kind;
import org.junit.jupiter.api.Test;

class ChecksTest {
    @Test
    void allowedKeys_pemPublicKeysOneAfterAnother_orNothing_areOk_elseTheCoresReason() throws Exception {
        String one = io.powerai.core.attest.SigningKey.publicKeyPem(java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        String two = io.powerai.core.attest.SigningKey.publicKeyPem(ec.generateKeyPair().getPublic());
        for (String ok : new String[] {"", " ", one, one + two, one + "\n\n" + two + "\n"}) {
            assertThat(Checks.allowedKeys(ok).kind()).as(ok).isEqualTo(Kind.OK);
        }
        Check garbage = Checks.allowedKeys(one + "not a key");
        assertThat(garbage.kind()).isEqualTo(Kind.ERROR);
        assertThat(garbage.message()).contains("Allowed keys (key 2)").contains("PUBLIC KEY");
        assertThat(Checks.allowedKeys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").kind()).isEqualTo(Kind.ERROR);
    }

    @Test
    void registry_hostsWithPortOrDomainOrNamespace_areOk() {
        for (String ok : new String[] {"", "  ", "127.0.0.1:5000", "localhost:5000", "localhost", "myacr.azurecr.io",
                "myacr.azurecr.io/team", "registry.example.com:443/ml/models"}) {
            assertThat(Checks.registry(ok).kind()).as(ok).isEqualTo(Kind.OK);
        }
        assertThat(Checks.registry(null).kind()).isEqualTo(Kind.OK);
    }

    @Test
    void registry_withScheme_isAnErrorThatSaysToLeaveItOut() {
        Check check = Checks.registry("https://myacr.azurecr.io");
        assertThat(check.kind()).isEqualTo(Kind.ERROR);
        assertThat(check.message()).contains("Leave out the scheme").contains("https://myacr.azurecr.io");
    }

    @Test
    void registry_malformed_isAnErrorWithTheCoresReason() {
        assertThat(Checks.registry("my_registry.io:5000").kind()).isEqualTo(Kind.ERROR);
        Check upper = Checks.registry("myacr.azurecr.io/Team");
        assertThat(upper.kind()).isEqualTo(Kind.ERROR);
        assertThat(upper.message()).contains("'Team'").contains("lowercase");
        assertThat(Checks.registry("myacr.azurecr.io/").kind()).isEqualTo(Kind.ERROR);
        assertThat(Checks.registry("host:port:5000").kind()).isEqualTo(Kind.ERROR);
    }

    @Test
    void registry_bareName_isAWarningThatDockerHubWouldBeUsed() {
        Check check = Checks.registry("myregistry");
        assertThat(check.kind()).isEqualTo(Kind.WARNING);
        assertThat(check.message()).contains("Docker Hub").contains("myregistry:5000");
    }

    @Test
    void baseImage_pinnedByDigest_isOk_unpinned_isAWarning_malformed_isAnError() {
        String digest = "@sha256:" + "0123456789abcdef".repeat(4);
        assertThat(Checks.baseImage("nvidia/cuda:12.4.1-runtime-ubuntu22.04" + digest).kind()).isEqualTo(Kind.OK);
        assertThat(Checks.baseImage("").kind()).isEqualTo(Kind.OK);

        Check unpinned = Checks.baseImage("localhost:5000/python-ml");
        assertThat(unpinned.kind()).isEqualTo(Kind.WARNING);
        assertThat(unpinned.message()).contains("localhost:5000/python-ml@sha256:");

        Check bad = Checks.baseImage("python:3.11@sha256:short");
        assertThat(bad.kind()).isEqualTo(Kind.ERROR);
        assertThat(bad.message()).contains("64 lowercase hex digits");
    }

    @Test
    void engineChoices_areTheValidEngines_andNone() {
        assertThat(Checks.ENGINE_CHOICES).extracting(choice -> choice.get(1)).containsExactly("", "docker", "podman");
        Checks.ENGINE_CHOICES.forEach(choice -> assertThat(Checks.engine(choice.get(1)).kind()).isEqualTo(Kind.OK));
    }

    @Test
    void engine_dockerOrPodmanOrEmpty_isOk_otherwiseAnError() {
        assertThat(Checks.engine("docker").kind()).isEqualTo(Kind.OK);
        assertThat(Checks.engine("podman").kind()).isEqualTo(Kind.OK);
        assertThat(Checks.engine("").kind()).isEqualTo(Kind.OK);
        assertThat(Checks.engine("Docker").message()).contains("lowercase: docker");
        Check other = Checks.engine("containerd");
        assertThat(other.kind()).isEqualTo(Kind.ERROR);
        assertThat(other.message()).contains("docker or podman").contains("'containerd'");
    }
}
