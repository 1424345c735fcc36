package io.powerai.core.engine;

import io.powerai.core.process.ProcessRunner;
import io.powerai.core.registry.Credentials;
import io.powerai.core.registry.RegistryAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The private auth file each registry call runs with, seen from the engine's side: a stand-in engine program (a
 * shell script in place of docker or podman) writes down what it was given: its arguments, the variable naming the
 * file, the file's modes and content. The real engines reading such files are in the authenticated-registry
 * end-to-end test.
 */
class ContainerEngineAuthTest {
    private static final String SECRET = "pw-for-target-5b2e";
    private static final String BASE_SECRET = "pw-for-base-c41d";

    @TempDir
    Path tmp;

    private final RegistryAuth auth = RegistryAuth.of(Map.of(
            "target.example:5000", new Credentials("pusher", SECRET),
            "base.example", new Credentials("reader", BASE_SECRET),
            "unrelated.example", new Credentials("other", "pw-unrelated-1")));

    /** A stand-in engine: notes its call in tmp/seen.txt, then exits with the status in tmp/exit (0 when absent). */
    private ContainerEngine engine(ContainerEngine.Kind kind) throws IOException {
        Path script = tmp.resolve(kind == ContainerEngine.Kind.DOCKER ? "docker" : "podman");
        Path seen = tmp.resolve("seen.txt");
        Files.writeString(script, String.join("\n", "#!/bin/sh",
                "if [ \"$1\" = version ]; then echo 99.0; exit 0; fi",
                "{ echo \"args: $*\"",
                "  if [ -n \"$DOCKER_CONFIG\" ]; then f=\"$DOCKER_CONFIG/config.json\"; echo \"dir: $DOCKER_CONFIG $(stat -c %a \"$DOCKER_CONFIG\")\"; fi",
                "  if [ -n \"$REGISTRY_AUTH_FILE\" ]; then f=\"$REGISTRY_AUTH_FILE\"; echo \"dir: $(dirname \"$f\") $(stat -c %a \"$(dirname \"$f\")\")\"; fi",
                "  echo \"file: $f $(stat -c %a \"$f\")\"; cat \"$f\"; } >> " + seen,
                "exit $(cat " + tmp.resolve("exit") + " 2>/dev/null || echo 0)", ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return new ContainerEngine(kind, script.toString(), new ProcessRunner(), auth);
    }

    private String seen() throws IOException {
        return Files.readString(tmp.resolve("seen.txt"));
    }

    private static Path dirSeen(String seen) {
        return Path.of(seen.lines().filter(l -> l.startsWith("dir: ")).findFirst().orElseThrow().split(" ")[1]);
    }

    private static String decoded(String base64) {
        return new String(java.util.Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    @Test
    void dockerPush_getsOnlyTheTargetsCredentials_inAPrivateConfig_removedAfterwards() throws IOException {
        engine(ContainerEngine.Kind.DOCKER).push("target.example:5000/team/app:1", line -> { });
        String seen = seen();
        assertThat(seen).contains("args: push target.example:5000/team/app:1").contains("config.json 600");
        Path dir = dirSeen(seen);
        assertThat(seen).contains("dir: " + dir + " 700");
        assertThat(seen).contains("\"target.example:5000\"").doesNotContain("base.example").doesNotContain("unrelated.example");
        String auth = seen.replaceAll("(?s).*\"auth\" : \"([^\"]+)\".*", "$1");
        assertThat(decoded(auth)).isEqualTo("pusher:" + SECRET);
        assertThat(seen.lines().filter(l -> l.startsWith("args:"))).noneMatch(l -> l.contains(SECRET));
        assertThat(dir).doesNotExist();
    }

    @Test
    void podmanBuild_getsTheBaseImagesRegistry_fromTheDockerfile_asREGISTRY_AUTH_FILE() throws IOException {
        Path context = Files.createDirectories(tmp.resolve("context"));
        Files.writeString(context.resolve("Dockerfile"), "FROM base.example/ml/python:3.11@sha256:" + "ab".repeat(32) + " AS build\n"
                + "RUN true\nFROM build\n");
        engine(ContainerEngine.Kind.PODMAN).build(context, "target.example:5000/team/app:1", line -> { });
        String seen = seen();
        assertThat(seen).contains("auth.json 600").contains("\"base.example\"").doesNotContain("target.example:5000\"")
                .doesNotContain("unrelated.example");
        assertThat(dirSeen(seen)).doesNotExist();
    }

    @Test
    void failedRun_stillRemovesTheFile() throws IOException {
        Files.writeString(tmp.resolve("exit"), "125");
        ProcessRunner.Result result = engine(ContainerEngine.Kind.DOCKER).run(RunSpec.of("base.example/ml/python:3.11", List.of("true")),
                Duration.ofSeconds(30), line -> { });
        assertThat(result.exitCode()).isEqualTo(125);
        String seen = seen();
        assertThat(seen).contains("\"base.example\"");
        assertThat(dirSeen(seen)).doesNotExist();
    }

    @Test
    void aRegistryWithoutCredentials_getsAnEmptyPrivateConfig_neverTheUsersOwn() throws IOException {
        engine(ContainerEngine.Kind.DOCKER).push("127.0.0.1:5000/app:1", line -> { });
        assertThat(seen()).contains("\"auths\" : { }");
    }

    @Test
    void dockerfiles_baseRegistries_skipStagesScratchAndArgs() throws IOException {
        Path file = tmp.resolve("Dockerfile");
        Files.writeString(file, "ARG BASE=x\nFROM --platform=linux/amd64 nvcr.example/cuda:12 AS build\nFROM build\n"
                + "FROM scratch\nFROM ${BASE}\nfrom python:3.11\nFROM nvcr.example/other:1\n");
        assertThat(Dockerfiles.baseRegistries(file)).containsExactly("nvcr.example", "docker.io");
        assertThat(Dockerfiles.baseRegistries(tmp.resolve("missing"))).isEmpty();
    }

    /** Ctrl-C or a Jenkins abort (SIGTERM) while an engine call holds a private file: the shutdown hook removes it. */
    @Test
    void sigterm_removesAnOpenPrivateConfig() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldsAPrivateConfig.class.getName())
                .redirectErrorStream(true).start();
        String dir = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(dir).isNotNull();
        assertThat(Path.of(dir)).isDirectory();
        child.destroy(); // SIGTERM
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Path.of(dir)).doesNotExist();
    }

    /** The child of {@link #sigterm_removesAnOpenPrivateConfig()}: opens a private config and waits to be stopped. */
    static final class HoldsAPrivateConfig {
        public static void main(String[] args) throws Exception {
            PrivateAuthConfig config = PrivateAuthConfig.write(ContainerEngine.Kind.DOCKER, Map.of("r.example", new Credentials("u", "p")));
            System.out.println(config.directory());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
