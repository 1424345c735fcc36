package io.powerai.core.python;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A credential in a URL is refused wherever a snapshot reads URLs, and never quoted in clear. */
class UrlCredentialsTest {
    private static final String SECRET = "s3cr3t-T0ken";

    @TempDir
    Path project;

    @Test
    void find_recognisesPasswordsTokensAndCondaTokens_butNotAnSshLoginName() {
        assertThat(UrlCredentials.find("--index-url https://alice:" + SECRET + "@pkgs.example/simple"))
                .contains("https://alice:****@pkgs.example/simple");
        assertThat(UrlCredentials.find("--extra-index-url=https://" + SECRET + "@pkgs.example/simple"))
                .contains("https://****@pkgs.example/simple");
        assertThat(UrlCredentials.find("mylib @ git+https://bob:" + SECRET + "@git.example/org/mylib.git@v1"))
                .contains("git+https://bob:****@git.example/org/mylib.git@v1");
        assertThat(UrlCredentials.find("https://conda.anaconda.org/t/" + SECRET + "/private"))
                .contains("https://conda.anaconda.org/t/****/private");
        assertThat(UrlCredentials.find("mylib @ git+ssh://git@git.example/org/mylib.git")).isEmpty();
        assertThat(UrlCredentials.find("--index-url http://127.0.0.1:8080/simple/")).isEmpty();
        assertThat(UrlCredentials.find("numpy==1.26.4 ; python_version >= \"3.9\"")).isEmpty();
        // A '@' after the host is a path or a VCS revision, not userinfo.
        assertThat(UrlCredentials.find("mylib @ https://files.example/mylib-1.0.tar.gz#egg=x@y")).isEmpty();
    }

    @Test
    void mask_hidesEverySecretInALine() {
        String line = "--index-url https://alice:" + SECRET + "@a.example/simple --extra https://" + SECRET + "@b.example/";
        assertThat(UrlCredentials.mask(line))
                .isEqualTo("--index-url https://alice:****@a.example/simple --extra https://****@b.example/")
                .doesNotContain(SECRET);
    }

    @Test
    void requirementsFile_refusesACredentialInAnIndexUrl_anIncludedFile_andAUrlRequirement_quotingItMasked() throws IOException {
        Files.writeString(project.resolve("requirements.txt"), "--index-url https://alice:" + SECRET + "@pkgs.example/simple\n"
                + "-r more.txt\nnumpy==1.26.4\n");
        Files.writeString(project.resolve("more.txt"), "mylib @ https://" + SECRET + "@files.example/mylib-1.0.tar.gz\n");

        RequirementsFile.Result r = RequirementsFile.parse(project.resolve("requirements.txt"), project);

        List<String> errors = r.errors().stream().map(RequirementsFile.Issue::describe).toList();
        assertThat(errors).containsExactly(
                "requirements.txt line 1: 'https://alice:****@pkgs.example/simple' carries a credential in the URL (rule: "
                        + UrlCredentials.rule() + ")",
                "more.txt line 1: 'https://****@files.example/mylib-1.0.tar.gz' carries a credential in the URL (rule: "
                        + UrlCredentials.rule() + ")");
        assertThat(String.join("\n", errors)).doesNotContain(SECRET);
        assertThat(r.options()).isEmpty();
        assertThat(r.requirements()).extracting(RequirementsFile.Line::name).containsExactly("numpy");
    }

    @Test
    void condaEnvironment_refusesATokenChannel_andACredentialInItsPipList() throws IOException {
        Files.writeString(project.resolve("environment.yml"), """
                name: train
                channels:
                  - https://conda.anaconda.org/t/%s/private
                  - conda-forge
                dependencies:
                  - python=3.11
                  - pip
                  - pip:
                      - --extra-index-url https://alice:%s@pkgs.example/simple
                """.formatted(SECRET, SECRET));

        CondaEnvironment env = CondaEnvironment.parse(project.resolve("environment.yml"), project);

        List<String> errors = env.errors().stream().map(RequirementsFile.Issue::describe).toList();
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).startsWith("environment.yml: channel 'https://conda.anaconda.org/t/****/private' carries a credential");
        assertThat(errors.get(1)).startsWith("environment.yml pip: line 1: 'https://alice:****@pkgs.example/simple' carries a credential");
        assertThat(String.join("\n", errors)).doesNotContain(SECRET);
        assertThat(env.channels()).containsExactly("conda-forge");
    }
}
