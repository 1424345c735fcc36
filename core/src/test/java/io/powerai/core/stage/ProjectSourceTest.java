package io.powerai.core.stage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Moved from ScoringImageTest with the type: the project's source as labels, results and provenance publish it. */
class ProjectSourceTest {
    @Test
    void withoutCredentials_removesUserAndToken() {
        assertThat(ProjectSource.withoutCredentials("https://ci-bot:s3cr3t@github.com/org/repo.git"))
                .isEqualTo("https://github.com/org/repo.git");
        assertThat(ProjectSource.withoutCredentials("https://token@dev.azure.com/org/p/_git/r"))
                .isEqualTo("https://dev.azure.com/org/p/_git/r");
        assertThat(ProjectSource.withoutCredentials("git@github.com:org/repo.git")).isEqualTo("git@github.com:org/repo.git");
        assertThat(ProjectSource.withoutCredentials("https://github.com/org/repo.git")).isEqualTo("https://github.com/org/repo.git");
    }

    @Test
    void tokenInTheQueryOrFragment_orAnAtInThePassword_isNeverPublished() {
        assertThat(ProjectSource.withoutCredentials("https://gitlab.example/org/repo.git?private_token=glpat-SECRET"))
                .isEqualTo("https://gitlab.example/org/repo.git");
        assertThat(ProjectSource.withoutCredentials("https://host/org/repo.git#token=SECRET")).isEqualTo("https://host/org/repo.git");
        assertThat(ProjectSource.withoutCredentials("https://bot:p@ss@SECRET@host/org/repo.git")).isEqualTo("https://host/org/repo.git");
        assertThat(ProjectSource.withoutCredentials("https://bot:pa/ss#SECRET@host/org/repo.git")).isEqualTo("https://host/org/repo.git");
        assertThat(ProjectSource.withoutCredentials("ssh://git@host/org/repo.git")).isEqualTo("ssh://host/org/repo.git");
        assertThat(ProjectSource.withoutCredentials("bot:SECRET@host:org/repo.git")).isEqualTo("host:org/repo.git");
        assertThat(ProjectSource.withoutCredentials("https://host/r\nLABEL x=y")).isNull();
    }
}
