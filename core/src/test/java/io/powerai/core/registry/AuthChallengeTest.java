package io.powerai.core.registry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** WWW-Authenticate as Docker Hub, ACR, GHCR and the registry's htpasswd mode send it. */
class AuthChallengeTest {
    @Test
    void bearer_withAQuotedScopeHoldingCommas() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://myacr.azurecr.io/oauth2/token\",service=\"myacr.azurecr.io\","
                + "scope=\"repository:team/app:pull,push\",error=\"insufficient_scope\"").orElseThrow();
        assertThat(c.isBearer()).isTrue();
        assertThat(c.params()).containsEntry("realm", "https://myacr.azurecr.io/oauth2/token")
                .containsEntry("service", "myacr.azurecr.io").containsEntry("scope", "repository:team/app:pull,push")
                .containsEntry("error", "insufficient_scope");
    }

    @Test
    void basic_andUnquotedValues_andEscapes() {
        assertThat(AuthChallenge.parse("Basic realm=\"Registry Realm\"").orElseThrow().isBasic()).isTrue();
        AuthChallenge c = AuthChallenge.parse("bearer realm=https://auth.example/token, service=reg, x=\"a\\\"b\"").orElseThrow();
        assertThat(c.isBearer()).isTrue();
        assertThat(c.params()).containsEntry("realm", "https://auth.example/token").containsEntry("service", "reg").containsEntry("x", "a\"b");
    }

    @Test
    void bearerWithoutRealm_orNoHeader_isNoTokenFlow() {
        assertThat(AuthChallenge.parse("Bearer service=\"x\"").orElseThrow().isBearer()).isFalse();
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse(" ")).isEmpty();
    }
}
