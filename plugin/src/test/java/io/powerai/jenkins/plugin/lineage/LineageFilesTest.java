package io.powerai.jenkins.plugin.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineageFilesTest {
    @TempDir
    Path tmp;

    @Test
    void requireRelative_defaultAndWorkspacePaths_areAccepted() {
        assertThat(LineageFiles.requireRelative("poweraiRecordLineage", null)).isEqualTo(".powerai/audit.jsonl");
        assertThat(LineageFiles.requireRelative("poweraiRecordLineage", " ")).isEqualTo(".powerai/audit.jsonl");
        assertThat(LineageFiles.requireRelative("poweraiRecordLineage", "models/a/.powerai/audit.jsonl")).isEqualTo("models/a/.powerai/audit.jsonl");
        assertThat(LineageFiles.requireRelative("poweraiRecordLineage", "sub\\audit.jsonl")).isEqualTo("sub/audit.jsonl");
        assertThat(LineageFiles.requireRelative("poweraiRecordLineage", "a..b/audit.jsonl")).isEqualTo("a..b/audit.jsonl");
    }

    @Test
    void requireRelative_pathsOutsideTheWorkspace_areRejectedWithTheStepAndTheValue() {
        for (String bad : new String[] {"/etc/passwd", "../other/audit.jsonl", "a/../../x", "..", "C:\\audit.jsonl", "\\\\server\\x", "dir/"}) {
            assertThatThrownBy(() -> LineageFiles.requireRelative("poweraiRecordLineage", bad), bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("poweraiRecordLineage: 'auditLog' must be a file path relative to the workspace, without '..', "
                            + "e.g. .powerai/audit.jsonl; got '" + bad + "'");
        }
    }

    @Test
    void auditLog_andHead_liveInTheBuildsPoweraiFolder() {
        Path log = LineageFiles.auditLog(tmp);
        assertThat(log).isEqualTo(tmp.resolve("powerai/audit.jsonl"));
        assertThat(LineageFiles.head(log)).isEqualTo(tmp.resolve("powerai/audit.jsonl.head"));
    }

    @Test
    void store_replacesTheCopyWholeAndLeavesNoTemporaryFile() throws IOException {
        Path target = LineageFiles.auditLog(tmp);
        LineageFiles.store(new ByteArrayInputStream("old\n".getBytes(StandardCharsets.UTF_8)), target);
        LineageFiles.store(new ByteArrayInputStream("new\n".getBytes(StandardCharsets.UTF_8)), target);

        assertThat(target).hasContent("new");
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void store_sourceFailsMidway_keepsThePreviousCopy() throws IOException {
        Path target = LineageFiles.auditLog(tmp);
        LineageFiles.store(new ByteArrayInputStream("complete\n".getBytes(StandardCharsets.UTF_8)), target);
        InputStream failing = new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ > 3) {
                    throw new IOException("agent went away");
                }
                return 'x';
            }
        };

        assertThatThrownBy(() -> LineageFiles.store(failing, target)).hasMessage("agent went away");
        assertThat(target).hasContent("complete");
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }
}
