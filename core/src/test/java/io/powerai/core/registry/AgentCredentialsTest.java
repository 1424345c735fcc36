package io.powerai.core.registry;

import io.powerai.core.PowerAiException;
import io.powerai.core.process.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent's own registry credentials, read from real files and a real docker-credential helper the test writes. */
class AgentCredentialsTest {
    @TempDir
    Path tmp;

    private static String auth(String userAndPassword) {
        return Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private AgentCredentials agent(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("HOME", tmp.resolve("home").toString(), "PATH", tmp.resolve("bin").toString()));
        all.putAll(env);
        return AgentCredentials.fromEnvironment(all, new ProcessRunner());
    }

    private Path dockerConfig(String json) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("docker"));
        Files.writeString(dir.resolve("config.json"), json);
        return dir;
    }

    /** docker-credential-test: answers for one server URL, says "not found" for the rest, and notes what it was asked. */
    private void helper(String serverUrl, String user, String secret) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path script = bin.resolve("docker-credential-test");
        Files.writeString(script, "#!/bin/sh\nread url\necho \"$1 $url\" >> " + tmp.resolve("asked") + "\n"
                + "if [ \"$1\" = get ] && [ \"$url\" = '" + serverUrl + "' ]; then\n"
                + "  echo '{\"ServerURL\":\"" + serverUrl + "\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}'\n"
                + "else\n  echo 'credentials not found in native keychain' >&2; exit 1\nfi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void auths_inlineEntries_byHostAndPort_andDockerHubUnderItsLegacyKey() throws IOException {
        Path dir = dockerConfig("{\"auths\": {\"registry.example:5000\": {\"auth\": \"" + auth("ci:s3cret:with-colon") + "\"},"
                + " \"https://index.docker.io/v1/\": {\"auth\": \"" + auth("hubuser:hubpw") + "\"}}}");
        AgentCredentials agent = agent(Map.of("DOCKER_CONFIG", dir.toString()));
        assertThat(agent.find("registry.example:5000")).contains(new Credentials("ci", "s3cret:with-colon"));
        assertThat(agent.find("docker.io")).contains(new Credentials("hubuser", "hubpw"));
        assertThat(agent.find("other.example")).isEmpty();
    }

    @Test
    void anIdentityToken_isNoUserAndPassword() throws IOException {
        Path dir = dockerConfig("{\"auths\": {\"myacr.azurecr.io\": {\"auth\": \"" + auth("00000000-0000-0000-0000-000000000000:")
                + "\", \"identitytoken\": \"eyJhbGciOi\"}}}");
        assertThat(agent(Map.of("DOCKER_CONFIG", dir.toString())).find("myacr.azurecr.io")).isEmpty();
    }

    @Test
    void homeDockerConfig_isReadWhenDockerConfigIsUnset() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("home/.docker"));
        Files.writeString(dir.resolve("config.json"), "{\"auths\": {\"r.example\": {\"username\": \"u\", \"password\": \"p\"}}}");
        assertThat(agent(Map.of()).find("r.example")).contains(new Credentials("u", "p"));
    }

    @Test
    void credHelpers_speakTheHelperProtocol_andComeBeforeInlineAuths() throws IOException {
        helper("myacr.azurecr.io", "00000000-app-id", "sp-secret-1");
        Path dir = dockerConfig("{\"credHelpers\": {\"myacr.azurecr.io\": \"test\"},"
                + " \"auths\": {\"myacr.azurecr.io\": {\"auth\": \"" + auth("stale:old") + "\"}}}");
        assertThat(agent(Map.of("DOCKER_CONFIG", dir.toString())).find("myacr.azurecr.io"))
                .contains(new Credentials("00000000-app-id", "sp-secret-1"));
        assertThat(Files.readString(tmp.resolve("asked"))).isEqualTo("get myacr.azurecr.io\n");
    }

    @Test
    void credsStore_isAskedForEveryRegistry_andNotFoundFallsBackToInlineAuths() throws IOException {
        helper("https://index.docker.io/v1/", "hub", "hub-secret");
        Path dir = dockerConfig("{\"credsStore\": \"test\", \"auths\": {\"r.example\": {\"auth\": \"" + auth("inline:pw") + "\"}}}");
        AgentCredentials agent = agent(Map.of("DOCKER_CONFIG", dir.toString()));
        assertThat(agent.find("docker.io")).contains(new Credentials("hub", "hub-secret"));
        assertThat(agent.find("r.example")).contains(new Credentials("inline", "pw"));
        assertThat(Files.readString(tmp.resolve("asked"))).contains("get https://index.docker.io/v1/", "get r.example");
    }

    @Test
    void podmanAuthFile_servesWhatDockersConfigLacks() throws IOException {
        Path file = tmp.resolve("auth.json");
        Files.writeString(file, "{\"auths\": {\"quay.example\": {\"auth\": \"" + auth("robot:tok") + "\"}}}");
        Path dir = dockerConfig("{\"auths\": {}}");
        assertThat(agent(Map.of("DOCKER_CONFIG", dir.toString(), "REGISTRY_AUTH_FILE", file.toString())).find("quay.example"))
                .contains(new Credentials("robot", "tok"));
        Path runtime = Files.createDirectories(tmp.resolve("run/containers"));
        Files.copy(file, runtime.resolve("auth.json"));
        assertThat(agent(Map.of("XDG_RUNTIME_DIR", tmp.resolve("run").toString())).find("quay.example"))
                .contains(new Credentials("robot", "tok"));
    }

    @Test
    void givenCredentials_comeBeforeTheAgents() throws IOException {
        Path dir = dockerConfig("{\"auths\": {\"r.example\": {\"auth\": \"" + auth("agent:pw") + "\"}}}");
        RegistryAuth auth = new RegistryAuth(Map.of("r.example", new Credentials("pipeline", "pw2")), agent(Map.of("DOCKER_CONFIG", dir.toString())));
        assertThat(auth.forRegistry("r.example")).contains(new Credentials("pipeline", "pw2"));
        assertThat(auth.forRegistries(java.util.List.of("r.example", "none.example"))).containsOnlyKeys("r.example");
    }

    @Test
    void brokenConfig_exit3_namesTheFile_withoutQuotingIt() throws IOException {
        Path dir = dockerConfig("{\"auths\": {\"r.example\": {\"auth\": \"c2VjcmV0LXZhbHVl\"}");
        assertThatThrownBy(() -> agent(Map.of("DOCKER_CONFIG", dir.toString())).find("r.example"))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageContaining(dir.resolve("config.json").toString()).hasMessageContaining("not valid JSON")
                .hasMessageNotContaining("c2VjcmV0LXZhbHVl");
    }

    @Test
    void helperNotOnPath_exit3_namesTheHelper() throws IOException {
        Path dir = dockerConfig("{\"credHelpers\": {\"r.example\": \"ecr-login\"}}");
        assertThatThrownBy(() -> agent(Map.of("DOCKER_CONFIG", dir.toString())).find("r.example"))
                .isInstanceOf(PowerAiException.InfrastructureUnavailable.class)
                .hasMessageContaining("docker-credential-ecr-login is not on the PATH");
    }

    @Test
    void credentials_neverShowTheirPassword() {
        assertThat(new Credentials("u", "hunter2").toString()).doesNotContain("hunter2");
    }
}
