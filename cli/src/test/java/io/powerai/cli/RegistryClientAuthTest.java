package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.image.ImageReference;
import io.powerai.core.registry.AgentCredentials;
import io.powerai.core.registry.Credentials;
import io.powerai.core.registry.RegistryAuth;
import io.powerai.core.registry.RegistryClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The registry client against real registries (Debian docker-registry), with no engine: the token flow behind TLS
 * with the test's CA (found in certs.d as the engines find it), anonymous tokens, a token that runs out, basic
 * auth, the push check, and the agent's docker config serving the client as it serves the engine.
 */
class RegistryClientAuthTest {
    private static final String PUSHER_PASSWORD = "client-pusher-pw-41ac";
    private static final String READER_PASSWORD = "client-reader-pw-93be";
    private static final String BOB_PASSWORD = "client-bob-pw-77d0";

    @TempDir
    static Path tmp;
    static TokenIssuer issuer;
    static AuthRegistry token;
    static AuthRegistry basic;

    @BeforeAll
    static void start() throws Exception {
        AuthRegistry.requireTools();
        TestPki pki = TestPki.create(tmp.resolve("pki"));
        issuer = new TokenIssuer(pki);
        issuer.addUser("pusher", PUSHER_PASSWORD, "pull", "push");
        issuer.addUser("reader", READER_PASSWORD, "pull");
        token = AuthRegistry.token(tmp.resolve("token"), pki, issuer);
        basic = AuthRegistry.htpasswd(tmp.resolve("basic"), "bob", BOB_PASSWORD);
    }

    @AfterAll
    static void stop() {
        AuthRegistry.stopAll(token, basic, issuer);
    }

    private static RegistryClient client(String registry, String user, String password) {
        return new RegistryClient(Set.of(), user == null ? Map.of() : Map.of(registry, new Credentials(user, password)));
    }

    private static ImageReference ref(AuthRegistry registry, String repository) {
        return ImageReference.parse(registry.address + "/" + repository + ":1");
    }

    @Test
    void tokenFlow_overTlsWithTheCaInCertsD_answersForAMissingTag() {
        assertThat(client(token.address, "pusher", PUSHER_PASSWORD).digest(ref(token, "team/app"))).isEmpty();
    }

    @Test
    void anonymousToken_readsWhatAnonymousMayRead_andIsRefusedTheRest() {
        RegistryClient anonymous = client(token.address, null, null);
        assertThat(anonymous.digest(ref(token, "public/app"))).isEmpty();
        assertThatThrownBy(() -> anonymous.digest(ref(token, "team/app")))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessage("registry " + token.address + " refused access to team/app for anonymous access (HTTP 401): log in"
                        + " (docker login) or set POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD (registryCredentialsId)");
    }

    @Test
    void wrongPassword_isRefusedByTheTokenService_withItsStatus() {
        assertThatThrownBy(() -> client(token.address, "pusher", "wrong").digest(ref(token, "team/app")))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageStartingWith("registry " + token.address + " refused the credentials of user 'pusher' (HTTP 401 from its token service")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void pushCheck_passesForAPusher_andNamesTheRefusalForAReader() {
        client(token.address, "pusher", PUSHER_PASSWORD).requirePush(ref(token, "team/app"));
        assertThatThrownBy(() -> client(token.address, "reader", READER_PASSWORD).requirePush(ref(token, "team/app")))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageStartingWith("registry " + token.address + " does not allow pushing to team/app for user 'reader' (HTTP 401)");
    }

    /**
     * A token kept from the first call runs out before the next (as during a long push): the registry refuses it,
     * and the client fetches a new one. The registry allows a minute of clock skew past a token's expiry, so the
     * first token is issued 58 s past its end and is dead two seconds later.
     */
    @Test
    void expiredToken_isFetchedAgain() throws Exception {
        RegistryClient client = client(token.address, "pusher", PUSHER_PASSWORD);
        issuer.tokenLifetime(-58);
        try {
            assertThat(client.digest(ref(token, "team/expiry"))).isEmpty();
            int first = issuer.tokensIssued();
            Thread.sleep(3_000);
            issuer.tokenLifetime(300);
            assertThat(client.digest(ref(token, "team/expiry"))).isEmpty();
            assertThat(issuer.tokensIssued()).isEqualTo(first + 1);
            assertThat(client.digest(ref(token, "team/expiry"))).isEmpty();
            assertThat(issuer.tokensIssued()).as("a live token is kept").isEqualTo(first + 1);
        } finally {
            issuer.tokenLifetime(300);
        }
    }

    @Test
    void basicAuth_answersWithTheRightPassword_andNamesRegistryAndStatusWithAWrongOne() {
        assertThat(client(basic.address, "bob", BOB_PASSWORD).digest(ref(basic, "team/app"))).isEmpty();
        client(basic.address, "bob", BOB_PASSWORD).requirePush(ref(basic, "team/app"));
        assertThatThrownBy(() -> client(basic.address, "bob", "wrong").digest(ref(basic, "team/app")))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageStartingWith("registry " + basic.address + " refused access to team/app for user 'bob' (HTTP 401)");
    }

    @Test
    void theAgentsDockerConfig_servesTheClient() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("agent"));
        Files.writeString(dir.resolve("config.json"), "{\"auths\": {\"http://" + basic.address + "/\": {\"auth\": \""
                + Base64.getEncoder().encodeToString(("bob:" + BOB_PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        RegistryAuth auth = new RegistryAuth(Map.of(), AgentCredentials.fromEnvironment(Map.of("DOCKER_CONFIG", dir.toString()), new ProcessRunner()));
        assertThat(new RegistryClient(Set.of(), auth).digest(ref(basic, "team/app"))).isEmpty();
    }
}
