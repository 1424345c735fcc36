package io.powerai.core.result;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * aksDeploy.json files as the map-building code wrote them before the typed result (captured from the local
 * end-to-end tests on a real engine, local-aborted.json from AbortsEndToEndTest's SIGTERM during a deployment, and
 * from the fabric8 mock-server tests in CRUD mode) read into
 * {@link DeploymentResult}, and written back byte for byte.
 */
class DeploymentResultTest {

    private static Path file(String name) throws URISyntaxException {
        return Path.of(DeploymentResultTest.class.getResource("DeploymentResultTest/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local-succeeded.json", "local-kept.json", "local-delete.json", "aks-split.json", "aks-kept.json",
            "aks-rolled-back.json", "aks-failed.json", "aks-promote.json", "aks-delete-left-alone.json", "local-aborted.json"})
    void everyResultTheMapCodeWrote_readsAndWritesBackTheSameBytes(String name) throws Exception {
        DeploymentResult result = StageResults.read(file(name), DeploymentResult.class);
        assertThat(result.stage()).isEqualTo("aksDeploy");
        assertThat(StageResults.toText(result)).isEqualTo(Files.readString(file(name)));
    }

    @Test
    void local_succeeded_hasItsUrlsAndRestartPolicy() throws Exception {
        DeploymentResult r = StageResults.read(file("local-succeeded.json"), DeploymentResult.class);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.target()).isEqualTo("local");
        assertThat(r.scoringUrl()).isEqualTo("http://127.0.0.1:34303/score");
        assertThat(r.metricsUrl()).isEqualTo("http://127.0.0.1:34304/metrics");
        assertThat(r.restartPolicy()).isEqualTo("unless-stopped");
        assertThat(r.container()).isEqualTo("powerai-svm-gate-e2e");
        assertThat(r.smokeTestAnswer()).isEqualTo("{\"predictions\": [0, 0, 1, 1]}");
        assertThat(r.audit()).isEqualTo(new AuditStamp(4, "8214d0c1dcf69edb346921ac505e4940d1dcb34a1e1b87337fd9ab5fc4a755ea"));
        assertThat(r.servingVersions()).isEmpty();
    }

    @Test
    void kept_namesTheServingImageAndTheRefusedCandidate() throws Exception {
        DeploymentResult local = StageResults.read(file("local-kept.json"), DeploymentResult.class);
        assertThat(local.status()).isEqualTo("kept");
        assertThat(local.gate()).contains("the serving version stays");
        assertThat(local.candidateImage()).startsWith("127.0.0.1:5000/svm-gate-e2e-score@sha256:");
        DeploymentResult aks = StageResults.read(file("aks-kept.json"), DeploymentResult.class);
        assertThat(aks.image()).endsWith("aa".repeat(32));
        assertThat(aks.candidateImage()).endsWith("bb".repeat(32));
        assertThat(aks.servingVersions()).extracting(ServingVersion::color).containsExactly("blue");
    }

    @Test
    void aks_split_listsBothVersionsWithTheirShare() throws Exception {
        DeploymentResult r = StageResults.read(file("aks-split.json"), DeploymentResult.class);
        assertThat(r.trafficPercent()).isEqualTo(25);
        assertThat(r.color()).isEqualTo("green");
        assertThat(r.servingVersions()).extracting(ServingVersion::trafficPercent).containsExactly(75, 25);
        assertThat(r.servingVersions().get(1).modelSha256()).isEqualTo("5e".repeat(32));
    }

    @Test
    void aks_failures_andDeletes() throws Exception {
        DeploymentResult rolledBack = StageResults.read(file("aks-rolled-back.json"), DeploymentResult.class);
        assertThat(rolledBack.status()).isEqualTo("rolled-back");
        assertThat(rolledBack.rolledBackTo()).endsWith("aa".repeat(32));
        assertThat(rolledBack.failure()).contains("CrashLoopBackOff");
        DeploymentResult failed = StageResults.read(file("aks-failed.json"), DeploymentResult.class);
        assertThat(failed.serving()).isNotNull();
        assertThat(failed.servingVersions()).isEmpty();
        DeploymentResult deleted = StageResults.read(file("aks-delete-left-alone.json"), DeploymentResult.class);
        assertThat(deleted.action()).isEqualTo("delete");
        assertThat(deleted.leftAlone()).isNotEmpty();
        DeploymentResult local = StageResults.read(file("local-delete.json"), DeploymentResult.class);
        assertThat(local.removed()).isTrue();
    }

    @Test
    void aborted_localDeployment_namesWhatServesAsText() throws Exception {
        DeploymentResult r = StageResults.read(file("local-aborted.json"), DeploymentResult.class);
        assertThat(r.status()).isEqualTo("aborted");
        assertThat(r.serving().image()).isEqualTo("127.0.0.1:5000/lifecycle-e2e-score@sha256:"
                + "f72c0b5567d300a31e2096418fa2feef7c3f4fa86e8b820c41db67235d67c2cd");
        assertThat(r.rolledBackTo()).isEqualTo(r.serving().image());
        assertThat(r.servingVersions()).isEmpty();
        assertThat(r.pid()).isEqualTo(22588L);
        assertThat(r.reason()).isEqualTo("aborted: SIGTERM");
        assertThat(r.startedAt()).isEqualTo("2026-12-07T02:40:08.288943238Z");
    }

    @Test
    void aWrongType_orAnotherSchemaVersion_isRefused() {
        assertThatThrownBy(() -> StageResults.parse("{\"schemaVersion\": 1, \"stage\": \"aksDeploy\", \"status\": \"succeeded\", "
                + "\"serving\": 3}", DeploymentResult.class)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> StageResults.parse("{\"schemaVersion\": 2, \"stage\": \"aksDeploy\", \"status\": \"succeeded\"}",
                DeploymentResult.class)).isInstanceOf(IOException.class).hasMessageContaining("schemaVersion 2");
    }
}
