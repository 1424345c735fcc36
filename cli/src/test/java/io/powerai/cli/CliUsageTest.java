package io.powerai.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user sees before any stage runs: the version, mistyped commands and options, the list of commands. */
class CliUsageTest {
    private static final List<String> COMMANDS = List.of("snapshot", "train", "scoring-image", "deploy", "run", "audit", "verify", "report", "history",
            "step-parameters", "stages", "pod-template", "gpu", "dev", "help");

    @Test
    void version_printsTheProjectVersionAndTheCommitItWasBuiltFrom() throws Exception {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> lines = run.out().strip().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("powerai " + projectVersion());
        String head = gitHead();
        if (head != null) { // built from a git checkout: the build recorded this commit
            assertThat(lines.get(1)).startsWith("commit " + head);
        } else {
            assertThat(lines.get(1)).isEqualTo("commit unknown (built without git history)");
        }
    }

    @Test
    void version_fromASourceTreeWithoutGit_saysUnknown() {
        Properties built = new Properties();
        built.setProperty("version", "1.2.3");
        built.setProperty("commit", "unknown");
        assertThat(PowerAiCommand.Version.lines(built)).containsExactly("powerai 1.2.3", "commit unknown (built without git history)");
        built.setProperty("commit", "0123456789abcdef0123456789abcdef01234567+modified");
        assertThat(PowerAiCommand.Version.lines(built))
                .containsExactly("powerai 1.2.3", "commit 0123456789abcdef0123456789abcdef01234567 (with uncommitted changes)");
    }

    @Test
    void mistypedCommand_getsASuggestionAndTheListOfCommands() {
        CliRun run = CliRun.of("snapshott", ".");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("Did you mean: snapshot?").contains("Commands of 'powerai': " + String.join(", ", COMMANDS) + ".")
                .doesNotContain("\tat ");
    }

    @Test
    void mistypedOption_getsASuggestion() {
        CliRun run = CliRun.of("deploy", ".", "--dry-rn");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--dry-rn'").contains("Did you mean: --dry-run?")
                .contains("Run 'powerai deploy --help' for the valid options.");
    }

    @Test
    void mistypedSubcommandOfAuditOrGpu_getsASuggestion() {
        // (deploy's and snapshot's subcommands share their place with DIR: there a typo reads as a directory)
        CliRun run = CliRun.of("audit", "verfy");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("Did you mean: verify?");
    }

    @Test
    void mistypedSubcommandWhereADirectoryMayStand_getsASuggestion() {
        // deploy's subcommands share their place with DIR: 'promot' arrives as a directory that does not exist
        CliRun run = CliRun.of("deploy", "promot", ".");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("Did you mean: powerai deploy promote?");
        CliRun snapshot = CliRun.of("snapshot", "dif");
        assertThat(snapshot.err()).as(snapshot.toString()).contains("no directory 'dif'. Did you mean: powerai snapshot diff?");
        assertThat(PowerAiCommand.editDistance("rollbak", "rollback")).isEqualTo(1);
        assertThat(PowerAiCommand.editDistance("history", "delete")).isGreaterThan(2);
    }

    @Test
    void noCommand_listsEveryCommand() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("a command is required").contains("Commands of 'powerai': " + String.join(", ", COMMANDS) + ".");
        CliRun audit = CliRun.of("audit");
        assertThat(audit.err()).contains("Commands of 'powerai audit': verify.").contains("Run 'powerai audit --help'");
    }

    private static String projectVersion() throws IOException {
        String pom = Files.readString(repoRoot().resolve("pom.xml"), StandardCharsets.UTF_8);
        String afterParentless = pom.substring(pom.indexOf("<artifactId>powerai-parent</artifactId>"));
        return afterParentless.substring(afterParentless.indexOf("<version>") + "<version>".length(), afterParentless.indexOf("</version>"));
    }

    private static Path repoRoot() {
        return Path.of(System.getProperty("powerai.repoRoot", "..")).toAbsolutePath().normalize();
    }

    /** The checkout's commit as git itself says, or null without git or history. */
    private static String gitHead() throws Exception {
        try {
            Process p = new ProcessBuilder("git", "-C", repoRoot().toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
