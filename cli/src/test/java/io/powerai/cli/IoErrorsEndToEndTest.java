package io.powerai.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I/O errors end like every other failure: one line naming the stage, the path and the cause, exit 3, never a stack
 * trace. Tests run as root, which ignores file modes: a read-only workspace is a read-only bind mount and a full disk
 * a small tmpfs, each in a mount namespace of the command's own (unshare -m); an unreadable file is one the command
 * reads without the capabilities that let root read anything (capsh from libcap2-bin).
 */
class IoErrorsEndToEndTest {
    @TempDir
    Path dir;
    private Path project;

    @BeforeEach
    void project() throws Exception {
        project = dir.resolve("project");
        Files.createDirectories(project.resolve("data"));
        Files.createDirectories(project.resolve(".powerai"));
        Files.writeString(project.resolve("train.py"), "import os\nopen(os.path.join(os.environ['POWERAI_OUTPUTS'], 'model.pkl'), 'w')"
                + ".write('m')\n");
        Files.writeString(project.resolve("data/rows.csv"), "x\n1\n");
        Files.writeString(project.resolve("powerai.yaml"), "name: io-errors\nenvironment:\n  base_image: "
                + LocalInfrastructure.BASE_IMAGE + "\ntrain:\n  script: train.py\n  data: data\n");
    }

    @Test
    void readOnlyWorkspace_exit3_oneLineNamingStagePathAndCause() throws Exception {
        Path ws = project.resolve(".powerai");
        CliProcess run = CliProcess.start(dir.resolve("logs"), inMountNamespace(
                "mount --bind \"$0\" \"$0\" && mount -o remount,ro,bind \"$0\" \"$0\"", ws),
                "train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertOneLine(run, 3, "gpuTrain: I/O error: " + ws, "Read-only file system");
    }

    @Test
    void fullDisk_exit3_oneLineNamingStagePathAndCause() throws Exception {
        Path ws = project.resolve(".powerai");
        CliProcess run = CliProcess.start(dir.resolve("logs"), inMountNamespace(
                "mount -t tmpfs -o size=64k powerai-full \"$0\" && { cat /dev/zero > \"$0/fill\" 2>/dev/null; true; }", ws),
                "train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertOneLine(run, 3, "gpuTrain: I/O error: ", ws.toString(), "No space left on device", "(the disk is full");
    }

    @Test
    void workspaceFolderCannotBeMade_exit3_oneLine() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a folder");
        CliRun run = CliRun.of("train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE, "--workspace",
                file.resolve("ws").toString());
        run.assertOneLineError(3, "gpuTrain: I/O error: ", file.toString());
    }

    @Test
    void unreadableDataFile_exit3_oneLineNamingTheFile() throws Exception {
        LocalInfrastructure.require();
        Assumptions.assumeTrue(works(List.of("capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", "true")),
                "needs capsh (Debian's libcap2-bin, installed by scripts/infra.sh) and the right to drop capabilities");
        Path secret = project.resolve("data/secret.csv");
        Files.writeString(secret, "y\n2\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        CliProcess run = CliProcess.start(dir.resolve("logs"),
                List.of("capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", "exec \"$0\" \"$@\""),
                "train", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE);
        assertOneLine(run, 3, "gpuTrain: I/O error: " + secret, "ermission denied");
    }

    private static void assertOneLine(CliProcess run, int exitCode, String... fragments) throws Exception {
        assertThat(run.waitFor(Duration.ofSeconds(180))).as(run.toString()).isEqualTo(exitCode);
        assertThat(run.err().strip().lines()).as(run.toString()).hasSize(1);
        assertThat(run.err()).as(run.toString()).contains(fragments).doesNotContain("\tat ").doesNotContain("Exception");
    }

    /**
     * The command, run by sh after {@code setup} (with {@code $0} = {@code target}) in a private mount namespace, so
     * that the mount is the command's alone and vanishes with it. Skips where the kernel refuses the namespace.
     */
    private static List<String> inMountNamespace(String setup, Path target) {
        Assumptions.assumeTrue(works(List.of("unshare", "-m", "--propagation", "private", "true")),
                "needs a private mount namespace (unshare -m): the kernel or the container refuses it here");
        List<String> prefix = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                setup + " && exec \"$@\"", target.toString()));
        return prefix;
    }

    private static boolean works(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
