package io.powerai.jenkins.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.powerai.jenkins.plugin.cli.CliCommand.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliCommandTest {
    @TempDir
    Path tmp;

    @Test
    void javaExecutable_noJavaHome_isJavaFromThePath() {
        assertThat(CliCommand.javaExecutable(null, Shell.POSIX)).isEqualTo("java");
        assertThat(CliCommand.javaExecutable("  ", Shell.WINDOWS)).isEqualTo("java");
    }

    @Test
    void javaExecutable_javaHome_isItsBinJava() {
        assertThat(CliCommand.javaExecutable("/usr/lib/jvm/java-17/", Shell.POSIX)).isEqualTo("/usr/lib/jvm/java-17/bin/java");
        assertThat(CliCommand.javaExecutable("C:\\Java\\jdk-17\\", Shell.WINDOWS)).isEqualTo("C:\\Java\\jdk-17\\bin\\java.exe");
    }

    @Test
    void render_plainPaths_areLeftUnquoted() {
        CliCommand command = CliCommand.of("/opt/jdk-17", "/var/lib/jenkins/tools/powerai/0.1.0/powerai-cli.jar", Shell.POSIX);
        assertThat(command.render()).isEqualTo("/opt/jdk-17/bin/java -jar /var/lib/jenkins/tools/powerai/0.1.0/powerai-cli.jar");
        assertThat(command.java()).isEqualTo("/opt/jdk-17/bin/java");
        assertThat(command.jar()).isEqualTo("/var/lib/jenkins/tools/powerai/0.1.0/powerai-cli.jar");
    }

    @Test
    void quotePosix_spacesQuotesAndExpansions_areSingleQuoted() {
        assertThat(CliCommand.quote("/opt/my jdk/bin/java", Shell.POSIX)).isEqualTo("'/opt/my jdk/bin/java'");
        assertThat(CliCommand.quote("/ws/it's", Shell.POSIX)).isEqualTo("'/ws/it'\"'\"'s'");
        assertThat(CliCommand.quote("/ws/$HOME/`id`", Shell.POSIX)).isEqualTo("'/ws/$HOME/`id`'");
        assertThat(CliCommand.quote("", Shell.POSIX)).isEqualTo("''");
    }

    @Test
    void quoteWindows_spacesAreDoubleQuoted_percentIsDoubled() {
        assertThat(CliCommand.quote("C:\\Program Files\\Java\\bin\\java.exe", Shell.WINDOWS))
                .isEqualTo("\"C:\\Program Files\\Java\\bin\\java.exe\"");
        assertThat(CliCommand.quote("C:\\ws\\100%\\x.jar", Shell.WINDOWS)).isEqualTo("\"C:\\ws\\100%%\\x.jar\"");
        assertThat(CliCommand.quote("C:\\ws\\x.jar", Shell.WINDOWS)).isEqualTo("C:\\ws\\x.jar");
        assertThatThrownBy(() -> CliCommand.quote("C:\\a\"b", Shell.WINDOWS)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The rendered line, run by a real sh, starts the real bundled CLI from a folder whose name needs quoting. */
    @Test
    void render_runBySh_startsTheBundledCliFromAnAwkwardPath() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX sh");
        BundledCli cli = BundledCli.load();
        Path dir = tmp.resolve("agent root's \"tools\" $HOME `x`").resolve(cli.relativeDir());
        CliCache.ensure(CliCache.local(dir), cli.sha256(), cli.content());
        String line = CliCommand.of(System.getProperty("java.home"), dir.resolve(CliCache.JAR_NAME).toString(), Shell.POSIX).render();

        Process process = new ProcessBuilder("/bin/sh", "-c", line + " --version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("powerai");
    }

    @Test
    void toString_isTheCommandLine() throws IOException {
        assertThat(CliCommand.of(null, "/x.jar", Shell.POSIX)).hasToString("java -jar /x.jar");
    }
}
