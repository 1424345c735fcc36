package io.powerai.core.engine;

import io.powerai.core.process.ProcessRunner;
import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ContainerEngineTest {
    private static final String IMAGE = "127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32);
    private static final Path ENV_FILE = Path.of("/tmp/powerai-env-test.list");

    @TempDir
    Path tmp;

    private static ContainerEngine docker() {
        return new ContainerEngine(ContainerEngine.Kind.DOCKER, "docker", new ProcessRunner());
    }

    private static ContainerEngine podman() {
        return new ContainerEngine(ContainerEngine.Kind.PODMAN, "podman", new ProcessRunner());
    }

    private RunSpec fullSpec(String gpus) {
        return RunSpec.of(IMAGE, List.of("python3", "train.py", "--epochs", "3"))
                .withName("powerai-train-svm-moons-1")
                .withMounts(List.of(
                        new Mount(tmp.resolve("project"), "/workspace/project", true),
                        new Mount(tmp.resolve("outputs"), "/workspace/outputs", false)))
                .withEnv(Map.of("ZETA", "z", "ALPHA", "a=b", "MIDDLE", "m"))
                .withNetwork("none")
                .withUser("1000:1000")
                .withWorkDir("/workspace/project")
                .withGpus(gpus)
                .withLabels(Map.of("io.powerai.stage", "gpuTrain", "io.powerai.managed", "true"));
    }

    private List<String> expected(String binary, List<String> gpuFlags) {
        List<String> args = new ArrayList<>(List.of(binary, "run", "--rm",
                "--name", "powerai-train-svm-moons-1",
                "--network", "none",
                "--user", "1000:1000",
                "--workdir", "/workspace/project",
                "--volume", tmp.resolve("project").toAbsolutePath() + ":/workspace/project:ro",
                "--volume", tmp.resolve("outputs").toAbsolutePath() + ":/workspace/outputs:rw",
                "--env-file", ENV_FILE.toString(),
                "--label", "io.powerai.managed=true",
                "--label", "io.powerai.stage=gpuTrain"));
        args.addAll(gpuFlags);
        args.addAll(List.of(IMAGE, "python3", "train.py", "--epochs", "3"));
        return args;
    }

    @Test
    void runArguments_docker_withoutGpus_rendersEveryOptionInOrder() {
        assertThat(docker().runArguments(fullSpec(null), ENV_FILE)).containsExactlyElementsOf(expected("docker", List.of()));
    }

    @Test
    void runArguments_podman_withoutGpus_isTheSameAsDocker() {
        assertThat(podman().runArguments(fullSpec(null), ENV_FILE)).containsExactlyElementsOf(expected("podman", List.of()));
    }

    @Test
    void runArguments_gpusZero_hasNoGpuFlags() {
        assertThat(docker().runArguments(fullSpec("0"), ENV_FILE)).doesNotContain("--gpus").isEqualTo(expected("docker", List.of()));
        assertThat(podman().runArguments(fullSpec("0"), ENV_FILE)).doesNotContain("--device").isEqualTo(expected("podman", List.of()));
    }

    @Test
    void runArguments_dockerAllGpus_usesGpusAll() {
        assertThat(docker().runArguments(fullSpec("all"), ENV_FILE)).containsExactlyElementsOf(expected("docker", List.of("--gpus", "all")));
    }

    @Test
    void runArguments_dockerTwoGpus_usesGpusCount() {
        assertThat(docker().runArguments(fullSpec("2"), ENV_FILE)).containsExactlyElementsOf(expected("docker", List.of("--gpus", "2")));
    }

    @Test
    void runArguments_podmanAllGpus_usesTheCdiDeviceForAll() {
        assertThat(podman().runArguments(fullSpec("all"), ENV_FILE))
                .containsExactlyElementsOf(expected("podman", List.of("--device", "nvidia.com/gpu=all")))
                .doesNotContain("--gpus");
    }

    @Test
    void runArguments_podmanTwoGpus_usesOneCdiDevicePerGpu() {
        assertThat(podman().runArguments(fullSpec("2"), ENV_FILE)).containsExactlyElementsOf(expected("podman",
                List.of("--device", "nvidia.com/gpu=0", "--device", "nvidia.com/gpu=1")));
    }

    @Test
    void runArguments_minimalSpec_hasOnlyRunRmImageAndCommand() {
        assertThat(docker().runArguments(RunSpec.of("python:3.11", List.of("python3", "-V")), null))
                .containsExactly("docker", "run", "--rm", "python:3.11", "python3", "-V");
    }

    @Test
    void runArguments_detached_usesDashDInsteadOfRm() {
        List<String> args = docker().runArguments(RunSpec.of("img", List.of()).withName("svc").withNetwork("host").inBackground(), null);

        assertThat(args).containsExactly("docker", "run", "-d", "--name", "svc", "--network", "host", "img");
    }

    @Test
    void serviceArguments_dockerAndPodman_detachedWithTheRestartPolicy() {
        RunSpec service = RunSpec.of("img", List.of()).withName("svc").withNetwork("host");

        assertThat(docker().serviceArguments(service, null))
                .containsExactly("docker", "run", "-d", "--restart", "unless-stopped", "--name", "svc", "--network", "host", "img");
        assertThat(podman().serviceArguments(service, null))
                .containsExactly("podman", "run", "-d", "--restart", "unless-stopped", "--name", "svc", "--network", "host", "img");
    }

    @Test
    void runArguments_binaryPath_isUsedAsGiven() {
        ContainerEngine engine = new ContainerEngine(ContainerEngine.Kind.PODMAN, "/opt/podman/bin/podman", new ProcessRunner());

        assertThat(engine.runArguments(RunSpec.of("img", List.of()), null).get(0)).isEqualTo("/opt/podman/bin/podman");
    }

    @Test
    void mount_toVolumeArgument_marksReadOnlyAndReadWrite() {
        Path source = tmp.resolve("data");

        assertThat(new Mount(source, "/workspace/data", true).toVolumeArgument()).isEqualTo(source.toAbsolutePath() + ":/workspace/data:ro");
        assertThat(new Mount(source, "/workspace/data", false).toVolumeArgument()).isEqualTo(source.toAbsolutePath() + ":/workspace/data:rw");
    }

    @Test
    void detect_requestedByName_picksThatEngine() {
        ContainerEngine podman = ContainerEngine.detect("podman", null, new ProcessRunner());
        ContainerEngine docker = ContainerEngine.detect("docker", null, new ProcessRunner());

        assertThat(podman.kind()).isEqualTo(ContainerEngine.Kind.PODMAN);
        assertThat(podman.binary()).isEqualTo("podman");
        assertThat(docker.kind()).isEqualTo(ContainerEngine.Kind.DOCKER);
        assertThat(docker.binary()).isEqualTo("docker");
    }

    @Test
    void detect_requestedByPath_picksTheKindFromTheFileNameAndKeepsThePath() {
        ContainerEngine podman = ContainerEngine.detect("/opt/bin/Podman-Remote", null, new ProcessRunner());
        ContainerEngine docker = ContainerEngine.detect("/usr/local/bin/docker", null, new ProcessRunner());

        assertThat(podman.kind()).isEqualTo(ContainerEngine.Kind.PODMAN);
        assertThat(podman.binary()).isEqualTo("/opt/bin/Podman-Remote");
        assertThat(docker.kind()).isEqualTo(ContainerEngine.Kind.DOCKER);
        assertThat(docker.binary()).isEqualTo("/usr/local/bin/docker");
    }

    @Test
    void detect_requestedWinsOverThePath() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("docker"), "#!/bin/sh\n");

        assertThat(ContainerEngine.detect("podman", bin.toString(), new ProcessRunner()).kind()).isEqualTo(ContainerEngine.Kind.PODMAN);
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void detect_nothingRequested_findsPodmanOnThePath() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        executable(bin.resolve("podman"), "#!/bin/sh\n");
        Files.writeString(bin.resolve("docker"), "not executable");

        ContainerEngine engine = ContainerEngine.detect(" ", empty + File.pathSeparator + bin, new ProcessRunner());

        assertThat(engine.kind()).isEqualTo(ContainerEngine.Kind.PODMAN);
        assertThat(engine.binary()).isEqualTo("podman");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void detect_bothOnThePath_prefersDocker() throws IOException {
        Path first = Files.createDirectories(tmp.resolve("first"));
        Path second = Files.createDirectories(tmp.resolve("second"));
        executable(first.resolve("podman"), "#!/bin/sh\n");
        executable(second.resolve("docker"), "#!/bin/sh\n");

        ContainerEngine engine = ContainerEngine.detect(null, first + File.pathSeparator + second, new ProcessRunner());

        assertThat(engine.kind()).isEqualTo(ContainerEngine.Kind.DOCKER);
        assertThat(engine.binary()).isEqualTo("docker");
    }

    @Test
    void detect_nothingFound_defaultsToDocker() {
        ContainerEngine engine = ContainerEngine.detect(null, tmp.toString(), new ProcessRunner());

        assertThat(engine.kind()).isEqualTo(ContainerEngine.Kind.DOCKER);
        assertThat(engine.binary()).isEqualTo("docker");
    }

    @Test
    void ensureAvailable_binaryNotInstalled_isInfrastructureUnavailableSayingNotInstalled() {
        ContainerEngine engine = ContainerEngine.detect("/nonexistent/docker", null, new ProcessRunner());

        PowerAiException.InfrastructureUnavailable e =
                catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class, engine::ensureAvailable);

        assertThat(e).isNotNull();
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).startsWith("container engine '/nonexistent/docker' is not installed")
                .contains("--engine")
                .doesNotContain("\n");
    }

    @Test
    void run_binaryNotInstalled_isInfrastructureUnavailable() {
        ContainerEngine engine = ContainerEngine.detect("/nonexistent/podman", null, new ProcessRunner());

        PowerAiException.InfrastructureUnavailable e = catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class,
                () -> engine.run(RunSpec.of("img", List.of()), Duration.ofSeconds(5), line -> { }));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("'/nonexistent/podman' is not installed");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void ensureAvailable_engineAnswers_returnsItsVersion() throws IOException {
        Path docker = executable(tmp.resolve("docker"), "#!/bin/sh\necho \"$@\" > \"$0.args\"\necho 27.3.1\n");

        String version = new ContainerEngine(ContainerEngine.Kind.DOCKER, docker.toString(), new ProcessRunner()).ensureAvailable();

        assertThat(version).isEqualTo("27.3.1");
        assertThat(Files.readString(tmp.resolve("docker.args")).strip()).isEqualTo("version --format {{.Server.Version}}");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void ensureAvailable_daemonDown_isInfrastructureUnavailableSayingItDoesNotAnswer() throws IOException {
        Path docker = executable(tmp.resolve("docker"),
                "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.'\nexit 1\n");
        ContainerEngine engine = new ContainerEngine(ContainerEngine.Kind.DOCKER, docker.toString(), new ProcessRunner());

        PowerAiException.InfrastructureUnavailable e =
                catchThrowableOfType(PowerAiException.InfrastructureUnavailable.class, engine::ensureAvailable);

        assertThat(e).isNotNull();
        assertThat(e.exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).contains("does not answer").contains("Cannot connect to the Docker daemon");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void pushAndBuild_podman_useDockerFormats() throws IOException {
        // The fake engine appends its arguments to a file, one call per line.
        Path podman = executable(tmp.resolve("podman"), "#!/bin/sh\necho \"$@\" >> \"$0.calls\"\necho 5.2.0\n");
        ContainerEngine engine = new ContainerEngine(ContainerEngine.Kind.PODMAN, podman.toString(), new ProcessRunner());

        engine.build(tmp, "127.0.0.1:5000/app:1", line -> { });
        engine.push("127.0.0.1:5000/app:1", line -> { });

        assertThat(Files.readAllLines(tmp.resolve("podman.calls"))).containsExactly(
                "version --format {{.Version}}",
                "build --network host -t 127.0.0.1:5000/app:1 --format docker " + tmp.toAbsolutePath(),
                "push --format v2s2 127.0.0.1:5000/app:1");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void run_variables_travelInAPrivateEnvFile_neverAsArguments_removedAfter() throws IOException {
        // Issue 14: train.env values were on the engine's command line (ps shows them; over 128 KiB the engine did not
        // start). The fake engine keeps its arguments, the env file's content and its mode.
        Path docker = executable(tmp.resolve("docker"), "#!/bin/sh\necho \"$@\" > \"$0.args\"\n"
                + "while [ $# -gt 0 ]; do if [ \"$1\" = --env-file ]; then cat \"$2\" > \"$0.env\"; stat -c %a \"$2\" > \"$0.mode\";"
                + " echo \"$2\" > \"$0.path\"; fi; shift; done\n");
        ContainerEngine engine = new ContainerEngine(ContainerEngine.Kind.DOCKER, docker.toString(), new ProcessRunner());
        String big = "v".repeat(200 * 1024);

        engine.run(RunSpec.of("img", List.of("true")).withEnv(Map.of("TOKEN", "s3cr3t", "BIG", big)), Duration.ofSeconds(30), line -> { });

        assertThat(Files.readString(tmp.resolve("docker.args"))).doesNotContain("s3cr3t").doesNotContain("vvvv").contains("--env-file");
        assertThat(Files.readString(tmp.resolve("docker.env"))).isEqualTo("BIG=" + big + "\nTOKEN=s3cr3t\n");
        assertThat(Files.readString(tmp.resolve("docker.mode")).strip()).isEqualTo("600");
        assertThat(Path.of(Files.readString(tmp.resolve("docker.path")).strip())).doesNotExist();
    }

    @Test
    void envFile_aValueWithALineBreak_isRefused() {
        assertThat(catchThrowableOfType(PowerAiException.InvalidInput.class, () -> EnvFile.of(Map.of("A", "x\ny"))))
                .hasMessageContaining("'A'").hasMessageContaining("single-line");
    }

    private static Path executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
