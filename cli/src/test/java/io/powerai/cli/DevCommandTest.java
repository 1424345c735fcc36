package io.powerai.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code powerai dev} refusing bad input: one clear line (or one per problem), the right exit code, nothing started. */
class DevCommandTest {
    @TempDir
    Path tmp;

    private Path project() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("powerai.yaml"), """
                name: dev-bad-input
                environment:
                  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm
                """);
        return project;
    }

    @Test
    void unknownProject_exit2_namesTheFolder() {
        Path missing = tmp.resolve("no-such-project");
        CliRun.of("dev", missing.toString()).assertOneLineError(2, "dev: 'DIR' must be a project folder", missing.toString());
    }

    @Test
    void folderWithoutPipelineFile_exit2() {
        CliRun.of("dev", tmp.toString()).assertOneLineError(2, "powerai.yaml: no pipeline file at " + tmp.resolve("powerai.yaml"));
    }

    @Test
    void listenOnAllAddresses_withoutAllowRemote_exit2_saysWhy() throws Exception {
        CliRun.of("dev", project().toString(), "--listen", "0.0.0.0")
                .assertOneLineError(2, "dev: '--listen' 0.0.0.0 would let other machines reach the notebook server", "--allow-remote");
        assertThat(tmp.resolve("project/.powerai")).doesNotExist();
    }

    @Test
    void listenOnAHostName_exit2() throws Exception {
        CliRun.of("dev", project().toString(), "--listen", "example.invalid", "--allow-remote")
                .assertOneLineError(2, "dev: '--listen' must be an IP address", "got 'example.invalid'");
    }

    @Test
    void everyProblemAtOnce() {
        CliRun run = CliRun.of("dev", tmp.resolve("missing").toString(), "--listen", "10.1.2.3", "--port", "70000");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(3);
        assertThat(run.err()).contains("'--port' must be a TCP port from 1 to 65535; got '70000'", "'--listen' 10.1.2.3",
                "'DIR' must be a project folder");
    }

    @Test
    void actionsExcludeEachOther() throws Exception {
        CliRun.of("dev", project().toString(), "--stop", "--capture")
                .assertOneLineError(2, "dev: '--stop', '--status' and '--capture' exclude each other");
    }

    @Test
    void portInUse_exit3_beforeAnythingIsBuilt() throws Exception {
        Path project = project();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            CliRun.of("dev", project.toString(), "--port", String.valueOf(port))
                    .assertOneLineError(3, "dev: port " + port + " on 127.0.0.1 is taken by another program", "--port");
        }
        assertThat(project.resolve(".powerai/amlEnvSnapshot.json")).doesNotExist();
    }

    @Test
    void captureWithoutAServer_exit2_saysHowToStartOne() throws Exception {
        Path project = project();
        CliRun.of("dev", project.toString(), "--capture")
                .assertOneLineError(2, "dev: '--capture' needs the project's dev server running", "powerai dev " + project);
    }

    @Test
    void statusAndStopWithoutAServer_sayThereIsNone() throws Exception {
        Path project = project();
        CliRun status = CliRun.of("dev", project.toString(), "--status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("no dev server for " + project);
    }
}
