package io.powerai.jenkins.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.powerai.core.json.Digests;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.jar.JarInputStream;
import java.util.jar.JarEntry;
import org.junit.jupiter.api.Test;

/** The build bundles the shaded CLI and writes the SHA-256 it must have; these check what the build produced. */
class BundledCliTest {
    @Test
    void load_hashResourceIsTheHashOfTheBundledJar() throws Exception {
        BundledCli cli = BundledCli.load();
        byte[] bytes;
        try (InputStream in = cli.content().open()) {
            bytes = in.readAllBytes();
        }
        assertThat(cli.sha256()).isEqualTo(Digests.sha256(bytes));
        assertThat(cli.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void load_bundledJarIsTheShadedRunnableCli() throws Exception {
        BundledCli cli = BundledCli.load();
        boolean hasPicocli = false;
        boolean hasCore = false;
        try (JarInputStream jar = new JarInputStream(cli.content().open())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.powerai.cli.Main");
            for (JarEntry entry; (entry = jar.getNextJarEntry()) != null; ) {
                hasPicocli |= entry.getName().equals("picocli/CommandLine.class");
                hasCore |= entry.getName().equals("io/powerai/core/audit/AuditLog.class");
            }
        }
        assertThat(hasPicocli).as("picocli inside: the shaded jar").isTrue();
        assertThat(hasCore).as("the core inside: the shaded jar").isTrue();
    }

    @Test
    void constructor_rejectsAMalformedHashOrVersion() {
        CliCache.Content none = () -> new ByteArrayInputStream(new byte[0]);
        assertThatThrownBy(() -> new BundledCli("1.0", "abc", none)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BundledCli("../1.0", "a".repeat(64), none)).isInstanceOf(IllegalArgumentException.class);
    }
}
