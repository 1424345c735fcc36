package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example through all four stages against registries that want credentials, as ACR, Docker Hub and GHCR do:
 * two real Debian docker-registry servers the test starts, one with htpasswd basic auth over plain HTTP ("basic"),
 * one with token auth (a token service the test runs) behind TLS with a CA the test makes ("token"). The base
 * image is private in one of them and the images go to the other, so one run needs two registries' credentials:
 * the pipeline's (POWERAI_REGISTRY_USERNAME / POWERAI_REGISTRY_PASSWORD) and the agent's own (docker login, a
 * docker-credential helper). Every fake secret is distinct, so a leak names its source.
 */
class AuthenticatedRegistryEndToEndTest {
    private static final String ALICE_PASSWORD = "alice-basic-pw-7f3a91";
    private static final String PUSHER_PASSWORD = "pusher-token-pw-2c8e54";
    private static final String READER_PASSWORD = "reader-token-pw-9d1b07";
    private static final List<String> SECRETS = List.of(ALICE_PASSWORD, PUSHER_PASSWORD, READER_PASSWORD);
    private static final String BASE_REPOSITORY = "powerai/python-ml:bookworm";

    @TempDir
    static Path tmp;
    static TestPki pki;
    static TokenIssuer issuer;
    static AuthRegistry basic;
    static AuthRegistry token;
    /** skopeo's auth file for the test's own checks, with every user that may read. */
    static Path testAuthFile;
    /** skopeo's --cert-dir: the CA alone (a *.key beside it would be taken for a client certificate). */
    static Path certDir;
    static final List<String> containers = new ArrayList<>();
    static final List<String> images = new ArrayList<>();

    @BeforeAll
    static void startRegistries() throws Exception {
        LocalInfrastructure.require();
        AuthRegistry.requireTools("skopeo");
        pki = TestPki.create(tmp.resolve("pki"));
        issuer = new TokenIssuer(pki);
        issuer.addUser("pusher", PUSHER_PASSWORD, "pull", "push");
        issuer.addUser("reader", READER_PASSWORD, "pull");
        basic = AuthRegistry.htpasswd(tmp.resolve("basic"), "alice", ALICE_PASSWORD);
        token = AuthRegistry.token(tmp.resolve("token"), pki, issuer);
        certDir = Files.createDirectories(tmp.resolve("skopeo-certs"));
        Files.copy(pki.caCert, certDir.resolve("ca.crt"));
        testAuthFile = authFile(tmp.resolve("test-auth.json"), Map.of(basic.address, "alice:" + ALICE_PASSWORD,
                token.address, "pusher:" + PUSHER_PASSWORD));
        // The base image, private in both: copied blob for blob (no recompression) with the test's own credentials.
        for (AuthRegistry target : List.of(basic, token)) {
            exec(List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-authfile", testAuthFile.toString(),
                    "--dest-cert-dir", certDir.toString(), "--dest-tls-verify=" + (target == token),
                    "docker://" + LocalInfrastructure.BASE_IMAGE, "docker://" + target.address + "/" + BASE_REPOSITORY));
        }
    }

    @AfterAll
    static void stop() {
        containers.forEach(c -> LocalInfrastructure.run(c.split(" ")));
        images.forEach(i -> LocalInfrastructure.run(i.split(" ")));
        AuthRegistry.stopAll(token, basic, issuer);
    }

    /**
     * docker: the base image private in the token registry, read with what `docker login` left in the agent's
     * DOCKER_CONFIG; the images pushed to the basic-auth registry with the pipeline's credentials. While it runs, no
     * process's command line or environment holds a password; afterwards none is in the results, the audit log,
     * the logs, the images' history or labels, and the agent's own config is unchanged. (dockerd uploads the base
     * layer once per registry it pushes to, ~1 min of gzip here: both docker tests push to the basic registry.)
     */
    @Test
    void docker_privateBaseFromDockerLogin_pushesToBasicRegistry_withNoSecretAnywhere() throws Exception {
        String name = "svm-auth-docker";
        Path agentConfig = Files.createDirectories(tmp.resolve("agent-docker"));
        Process login = new ProcessBuilder("docker", "--config", agentConfig.toString(), "login", token.address, "-u", "reader",
                "--password-stdin").redirectErrorStream(true).start();
        login.getOutputStream().write(READER_PASSWORD.getBytes(StandardCharsets.UTF_8));
        login.getOutputStream().close();
        String loginOut = new String(login.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(login.waitFor(60, TimeUnit.SECONDS) && login.exitValue() == 0).as(loginOut).isTrue();
        byte[] agentBefore = Files.readAllBytes(agentConfig.resolve("config.json"));

        int port = LocalInfrastructure.freePort();
        Path project = example(name, port, token.address + "/" + BASE_REPOSITORY);
        containers.add("docker rm -f powerai-" + name);
        Map<String, String> env = Map.of("DOCKER_CONFIG", agentConfig.toString(),
                "POWERAI_REGISTRY_USERNAME", "alice", "POWERAI_REGISTRY_PASSWORD", ALICE_PASSWORD);
        Set<String> authDirsBefore = privateAuthDirs();

        Set<String> leaks = new ConcurrentSkipListSet<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                leaks.addAll(processesHoldingSecrets());
                try {
                    Thread.sleep(5); // a docker push lives for seconds: every few ms sees it, and leaves the CPUs to the build
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "process sampler");
        sampler.start();
        CliRun run;
        try {
            run = CliRun.with(env, "run", project.toString(), "--engine", "docker", "--registry", basic.address);
        } finally {
            running.set(false);
            sampler.join();
        }

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("[amlEnvSnapshot] pushing " + basic.address + "/" + name + "-env:")
                .contains("prediction:    {\"predictions\": [0, 0, 1, 1]}");
        assertPushedAsRecorded(project, basic.address, name);
        assertThat(leaks).as("processes whose command line or environment held a password").isEmpty();
        assertThat(privateAuthDirs()).as("private auth files left behind").isSubsetOf(authDirsBefore);
        assertThat(Files.readAllBytes(agentConfig.resolve("config.json"))).as("the agent's docker config").isEqualTo(agentBefore);
        assertNoSecretIn(run.out() + run.err(), "the command's output");
        assertNoSecretInTree(project.resolve(".powerai"));
        for (String stage : List.of("amlEnvSnapshot", "scoringImage")) {
            String image = String.valueOf(Json.readObject(project.resolve(".powerai/" + stage + ".json")).get("imageTag"));
            images.add("docker rmi " + image);
            assertNoSecretIn(exec(List.of("docker", "history", "--no-trunc", image)) + exec(List.of("docker", "inspect", image)),
                    "the history and config of " + image);
        }

        // Running a remote image: with the scoring image gone from the engine, a deploy pulls it from the registry.
        String deployed = String.valueOf(Json.readObject(project.resolve(".powerai/aksDeploy.json")).get("image"));
        LocalInfrastructure.run("docker", "rm", "-f", "powerai-" + name);
        String imageId = exec(List.of("docker", "image", "inspect", "--format", "{{.Id}}", deployed)).strip();
        exec(List.of("docker", "rmi", "-f", imageId));
        images.add("docker rmi " + deployed); // pulled by digest: no tag removes it
        CliRun deploy = CliRun.with(env, "deploy", project.toString(), "--engine", "docker", "--registry", basic.address);
        assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
        assertThat(exec(List.of("docker", "image", "inspect", "--format", "{{.Id}}", deployed)).strip()).isEqualTo(imageId);
    }

    /**
     * podman: the base image private in the basic-auth registry, read through a docker-credential helper the agent's
     * docker config names (credHelpers); the images pushed to the token registry (TLS, its CA in
     * /etc/containers/certs.d) with the pipeline's credentials.
     */
    @Test
    void podman_privateBaseFromCredentialHelper_pushesToTokenRegistry() throws Exception {
        LocalInfrastructure.requirePodman();
        String name = "svm-auth-podman";
        Path bin = Files.createDirectories(tmp.resolve("helper-bin"));
        Path helper = bin.resolve("docker-credential-test");
        Path asked = tmp.resolve("helper-asked.txt");
        // The helper protocol: the server URL on stdin, {ServerURL, Username, Secret} on stdout.
        Files.writeString(helper, "#!/bin/sh\nread url\necho \"$1 $url\" >> " + asked + "\n"
                + "if [ \"$1\" = get ] && [ \"$url\" = \"" + basic.address + "\" ]; then\n"
                + "  printf '{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"%s\"}\\n' \"$url\" \"$(cat " + tmp.resolve("helper-secret") + ")\"\n"
                + "else\n  echo 'credentials not found in native keychain'; exit 1\nfi\n");
        Files.writeString(tmp.resolve("helper-secret"), ALICE_PASSWORD);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        Path agentConfig = Files.createDirectories(tmp.resolve("agent-helper"));
        Files.writeString(agentConfig.resolve("config.json"), "{\"credHelpers\": {\"" + basic.address + "\": \"test\"}}");
        Path registriesConf = tmp.resolve("registries.conf");
        Files.writeString(registriesConf, "unqualified-search-registries = []\n"
                + "[[registry]]\nlocation = \"" + LocalInfrastructure.REGISTRY + "\"\ninsecure = true\n"
                + "[[registry]]\nlocation = \"" + basic.address + "\"\ninsecure = true\n");

        int port = LocalInfrastructure.freePort();
        Path project = example(name, port, basic.address + "/" + BASE_REPOSITORY);
        containers.add("podman rm -f -t 0 powerai-" + name);
        Map<String, String> env = Map.of("DOCKER_CONFIG", agentConfig.toString(),
                "PATH", bin + ":" + System.getenv("PATH"), "CONTAINERS_REGISTRIES_CONF", registriesConf.toString(),
                "POWERAI_REGISTRY_USERNAME", "pusher", "POWERAI_REGISTRY_PASSWORD", PUSHER_PASSWORD);
        CliRun run = CliRun.with(env, "run", project.toString(), "--engine", "podman", "--registry", token.address);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("prediction:    {\"predictions\": [0, 0, 1, 1]}");
        assertPushedAsRecorded(project, token.address, name);
        assertThat(Files.readString(asked)).contains("get " + basic.address);
        assertNoSecretIn(run.out() + run.err(), "the command's output");
        assertNoSecretInTree(project.resolve(".powerai"));
        for (String stage : List.of("amlEnvSnapshot", "scoringImage")) {
            images.add("podman rmi " + Json.readObject(project.resolve(".powerai/" + stage + ".json")).get("imageTag"));
        }
    }

    /**
     * The defect as first seen: the pipeline's credentials for a basic-auth registry and an empty DOCKER_CONFIG.
     * The digest lookup used to authenticate and then `docker push` failed with "no basic auth credentials".
     */
    @Test
    void docker_snapshotToBasicRegistry_withPipelineCredentials_andEmptyDockerConfig_pushes() throws Exception {
        String name = "svm-auth-basic-docker";
        Path project = example(name, LocalInfrastructure.freePort(), LocalInfrastructure.BASE_IMAGE);
        Path emptyConfig = Files.createDirectories(tmp.resolve("empty-docker-config"));
        CliRun run = CliRun.with(Map.of("DOCKER_CONFIG", emptyConfig.toString(),
                        "POWERAI_REGISTRY_USERNAME", "alice", "POWERAI_REGISTRY_PASSWORD", ALICE_PASSWORD),
                "snapshot", project.toString(), "--engine", "docker", "--registry", basic.address);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, Object> result = Json.readObject(project.resolve(".powerai/amlEnvSnapshot.json"));
        images.add("docker rmi " + result.get("imageTag"));
        // The image, and its provenance and SBOM under the fallback tags, pushed with the same pipeline credentials.
        String hex = String.valueOf(result.get("digest")).substring("sha256:".length());
        assertThat(tags(basic.address, name + "-env")).containsExactlyInAnyOrder(String.valueOf(result.get("snapshotId")),
                "sha256-" + hex + ".att", "sha256-" + hex + ".sbom");
        assertThat(emptyConfig).isEmptyDirectory();
    }

    /** A wrong password, on the token registry (its token service refuses) and on the basic one (the registry does). */
    @ParameterizedTest
    @ValueSource(strings = {"token", "basic"})
    void wrongPassword_exit3_namesRegistryAndStatus_pushesNothing(String kind) throws Exception {
        AuthRegistry registry = kind.equals("token") ? token : basic;
        String user = kind.equals("token") ? "pusher" : "alice";
        String name = "svm-auth-wrong-" + kind;
        Path project = example(name, LocalInfrastructure.freePort(), LocalInfrastructure.BASE_IMAGE);
        CliRun run = CliRun.with(Map.of("POWERAI_REGISTRY_USERNAME", user, "POWERAI_REGISTRY_PASSWORD", "not-the-password"),
                "snapshot", project.toString(), "--engine", "docker", "--registry", registry.address);
        run.assertOneLineError(3, "registry " + registry.address, "HTTP 401", "user '" + user + "'");
        assertThat(run.out()).doesNotContain("building");
        assertThat(tags(registry.address, name + "-env")).as("tags pushed").isEmpty();
    }

    @Test
    void credentialThatMayPullButNotPush_exit3_saysSo_pushesNothing() throws Exception {
        Path project = example("svm-auth-reader", LocalInfrastructure.freePort(), LocalInfrastructure.BASE_IMAGE);
        CliRun run = CliRun.with(Map.of("POWERAI_REGISTRY_USERNAME", "reader", "POWERAI_REGISTRY_PASSWORD", READER_PASSWORD),
                "snapshot", project.toString(), "--engine", "docker", "--registry", token.address);
        run.assertOneLineError(3, "registry " + token.address, "does not allow pushing to svm-auth-reader-env", "user 'reader'", "HTTP 401");
        assertThat(run.out()).doesNotContain("building");
        assertThat(tags(token.address, "svm-auth-reader-env")).as("tags pushed").isEmpty();
    }

    private static Path example(String name, int port, String baseImage) throws IOException {
        Path project = LocalInfrastructure.copyExample(tmp, name, port);
        Path spec = project.resolve("powerai.yaml");
        String text = Files.readString(spec);
        assertThat(text).as("the example names its base image").containsPattern("(?m)^  base_image: ");
        Files.writeString(spec, text.replaceFirst("(?m)^  base_image: .*$", "  base_image: " + baseImage));
        return project;
    }

    /** The images are in {@code registry} under the digests the results recorded, asked with skopeo, not the code under test. */
    private static void assertPushedAsRecorded(Path project, String registry, String name) throws Exception {
        for (String stage : List.of("amlEnvSnapshot", "scoringImage")) {
            Map<String, Object> result = Json.readObject(project.resolve(".powerai/" + stage + ".json"));
            String tag = String.valueOf(result.get("imageTag"));
            assertThat(tag).startsWith(registry + "/" + name + "-");
            String manifest = exec(List.of("skopeo", "inspect", "--raw", "--authfile", testAuthFile.toString(),
                    "--cert-dir", certDir.toString(), "--tls-verify=" + registry.equals(token.address), "docker://" + tag));
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(manifest.getBytes(StandardCharsets.UTF_8)));
            assertThat(result.get("digest")).as(stage + " digest").isEqualTo(digest);
        }
        assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();
    }

    private static List<String> tags(String registry, String repository) {
        try {
            String out = exec(List.of("skopeo", "list-tags", "--authfile", testAuthFile.toString(), "--cert-dir", certDir.toString(),
                    "--tls-verify=" + registry.equals(token.address), "docker://" + registry + "/" + repository));
            @SuppressWarnings("unchecked")
            List<String> tags = (List<String>) Json.parseObject(out).get("Tags");
            return tags == null ? List.of() : tags;
        } catch (IOException e) {
            if (e.getMessage().contains("name unknown") || e.getMessage().contains("404 (Not Found)")) { // no such repository: nothing was pushed
                return List.of();
            }
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static Path authFile(Path file, Map<String, String> userAndPassword) throws IOException {
        Map<String, Object> auths = new HashMap<>();
        userAndPassword.forEach((registry, pair) -> auths.put(registry,
                Map.of("auth", java.util.Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))));
        Files.writeString(file, Json.pretty(Map.of("auths", auths)));
        return file;
    }

    /** Every process's command line and environment, searched for a password (the sampler's one look). */
    private static Set<String> processesHoldingSecrets() {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                for (String part : List.of("cmdline", "environ")) {
                    try {
                        String text = new String(Files.readAllBytes(proc.resolve(part)), StandardCharsets.UTF_8);
                        for (String secret : SECRETS) {
                            if (text.contains(secret)) {
                                found.add(proc.getFileName() + "/" + part + ": " + text.replace('\0', ' '));
                            }
                        }
                    } catch (IOException ended) {
                        // the process ended while it was read
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    private static Set<String> privateAuthDirs() throws IOException {
        try (Stream<Path> list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return new TreeSet<>(list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("powerai-auth-")).toList());
        }
    }

    private static void assertNoSecretIn(String text, String where) {
        for (String secret : SECRETS) {
            assertThat(text).as(where).doesNotContain(secret);
        }
    }

    private static void assertNoSecretInTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                assertNoSecretIn(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), file.toString());
            }
        }
    }

    private static String exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + err);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
