package io.powerai.core.workspace;

import io.powerai.core.PowerAiException;
import io.powerai.core.audit.AuditLog;
import io.powerai.core.spec.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 14: a repository can commit {@code .powerai} or files in it as links; powerai must not write through them.
 * And {@code audit verify} checks the results' audit records against the log.
 */
class WorkspaceLinksTest {
    @TempDir
    Path tmp;

    @Test
    void dotPowerai_asALink_isRefused() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(project.resolve(".powerai"), elsewhere);

        assertThatThrownBy(() -> new Workspace(project, Clock.systemUTC())).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("'.powerai' is a link to " + elsewhere);
    }

    @Test
    void auditLog_asALink_isRefused_andTheTargetUntouched() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path target = Files.writeString(tmp.resolve("bashrc"), "keep\n");
        Files.createDirectories(project.resolve(".powerai"));
        Files.createSymbolicLink(project.resolve(".powerai/audit.jsonl"), target);

        assertThatThrownBy(() -> new Workspace(project, Clock.systemUTC())).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("'.powerai/audit.jsonl' is a link to " + target);
        AuditLog log = new AuditLog(project.resolve(".powerai/audit.jsonl"), Clock.systemUTC());
        assertThatThrownBy(() -> log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of())))
                .isInstanceOf(PowerAiException.InvalidInput.class);
        assertThat(Files.readString(target)).isEqualTo("keep\n");
    }

    @Test
    void aFileInAStageFolder_asALink_isRefused() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path target = Files.writeString(tmp.resolve("profile"), "keep\n");
        Files.createDirectories(project.resolve(".powerai/train"));
        Files.createSymbolicLink(project.resolve(".powerai/train/train.log"), target);
        Workspace workspace = new Workspace(project, Clock.systemUTC());

        assertThatThrownBy(() -> workspace.stageDir(Stage.TRAIN)).hasMessageContaining("'.powerai/train/train.log' is a link to " + target);
    }

    @Test
    void writeAtomically_throughAPlantedTemporaryLink_replacesTheLink() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path target = Files.writeString(tmp.resolve("profile"), "keep\n");
        Workspace workspace = new Workspace(project, Clock.systemUTC());
        Files.createDirectories(workspace.dir());
        Files.createSymbolicLink(workspace.dir().resolve(".gpuTrain.json.tmp"), target);

        workspace.writeResult(Stage.TRAIN, Map.of("status", "succeeded"));

        assertThat(Files.readString(target)).isEqualTo("keep\n");
        assertThat(Files.readString(workspace.resultFile(Stage.TRAIN))).contains("succeeded");
    }

    @Test
    void verifyAudit_lastRecordDroppedAndHeadRewritten_isCaughtByTheResult() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Workspace workspace = new Workspace(project, Clock.systemUTC());
        AuditLog log = workspace.audit();
        log.append(new AuditLog.Entry("amlEnvSnapshot", "succeeded", Map.of(), Map.of(), Map.of()));
        AuditLog.Appended second = log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of(), Map.of(), Map.of()));
        workspace.writeResult(Stage.TRAIN, Map.of("status", "succeeded", "audit", Map.of("seq", second.seq(), "hash", second.hash())));
        assertThat(workspace.verifyAudit().ok()).isTrue();

        // The attacker drops the last record and rewrites the head to name the one before: the chain alone passes.
        List<String> lines = Files.readAllLines(log.file());
        Files.write(log.file(), lines.subList(0, 1));
        String firstHash = io.powerai.core.json.Json.parseObject(lines.get(0)).get("hash").toString();
        Files.writeString(log.headFile(), "{\"hash\":\"" + firstHash + "\",\"seq\":1}\n");
        assertThat(log.verify().ok()).isTrue();

        AuditLog.Verification verification = workspace.verifyAudit();
        assertThat(verification.ok()).isFalse();
        assertThat(verification.problem()).contains("record 2 (gpuTrain): removed (gpuTrain.json names it but the log ends at record 1)");
    }
}
