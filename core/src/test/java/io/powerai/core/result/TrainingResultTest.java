package io.powerai.core.result;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * gpuTrain.json files as the map-building TrainingRun wrote them before the result was typed (captured from its
 * tests' runs, one per backend): each reads into {@link TrainingResult} and writes back byte for byte.
 */
class TrainingResultTest {
    private static final Path FILES = Path.of("src", "test", "resources", "io", "powerai", "core", "result", "TrainingResultTest");

    private static TrainingResult read(String name) throws IOException {
        return StageResults.read(FILES.resolve(name + ".gpuTrain.json"), TrainingResult.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"native-gpu", "container-gpu", "agent-pod-gpu", "kubernetes", "kubernetes-oom"})
    void aFileWrittenBeforeTheRecord_readsIntoIt_andIsWrittenBackUnchanged(String name) throws IOException {
        String written = Files.readString(FILES.resolve(name + ".gpuTrain.json"), StandardCharsets.UTF_8);

        assertThat(StageResults.toText(read(name))).isEqualTo(written);
    }

    @Test
    void native_gpuRun_hasItsInterpreter_preflight_andGpuUse() throws IOException {
        TrainingResult result = read("native-gpu");

        assertThat(result.succeeded()).isTrue();
        assertThat(result.stage()).isEqualTo("gpuTrain");
        assertThat(result.backend()).isEqualTo("native");
        assertThat(result.image()).isNull();
        assertThat(result.environmentPinned()).isFalse();
        assertThat(result.environment().pythonVersion()).isEqualTo("3.11.7");
        assertThat(result.environment().packages()).isEqualTo(103);
        assertThat(result.environment().pinned()).isFalse();
        assertThat(result.gpuPreflight()).containsEntry("decision", "gpu").containsEntry("requested", "1");
        assertThat(result.gpuTelemetry().samples()).isEqualTo(44);
        assertThat(result.gpuTelemetry().intervalMillis()).isEqualTo(100);
        assertThat(result.gpuTelemetry().file()).isEqualTo("train/gpu-samples.csv");
        assertThat(result.gpuTelemetry().gpus()).hasSize(1);
        assertThat(result.args()).isEqualTo(List.of("gpu"));
        assertThat(result.metrics()).isEqualTo(Map.of("loss", 0.3333333333333333));
        assertThat(result.outputDigest("model.txt")).isEqualTo("9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c");
        assertThat(result.outputsDir()).isEqualTo("train/outputs");
        assertThat(result.attestations().signed()).isFalse();
        assertThat(result.attestations().files()).containsKey("attestations/gpuTrain.intoto.json");
        assertThat(result.audit().seq()).isEqualTo(1);
        assertThat(result.kubernetes()).isNull();
        assertThat(result.placement()).isNull();
    }

    @Test
    void agentPod_hasItsPlacement() throws IOException {
        TrainingResult result = read("agent-pod-gpu");

        assertThat(result.backend()).isEqualTo("container");
        assertThat(result.placement()).isEqualTo(new TrainingResult.AgentPodPlacement("jenkins-kubernetes-agent-pod", "train"));
        assertThat(result.gpuPreflight()).containsEntry("policy", "pod");
    }

    @Test
    void kubernetes_failedRun_hasTheJob_theFailure_andItsReason() throws IOException {
        TrainingResult result = read("kubernetes-oom");

        assertThat(result.succeeded()).isFalse();
        assertThat(result.status()).isEqualTo("failed");
        assertThat(result.exitCode()).isEqualTo(137);
        assertThat(result.failureReason()).isEqualTo("oom");
        assertThat(result.failure()).startsWith("the training was killed by the out-of-memory killer");
        assertThat(result.kubernetes().reason()).isEqualTo("OOMKilled");
        assertThat(result.kubernetes().namespace()).isEqualTo("default");
        assertThat(result.snapshotId()).hasSize(64);
        assertThat(result.dataDigest()).hasSize(64);
        assertThat(result.metrics()).isEmpty();
        assertThat(result.attestations()).isNull();
    }

    @Test
    void anAbortedRun_readsWithItsCommonFields() throws IOException {
        TrainingResult result = StageResults.parse("{\"schemaVersion\":1,\"stage\":\"gpuTrain\",\"status\":\"aborted\","
                + "\"reason\":\"stopped (SIGTERM)\",\"pid\":4242,\"removedContainers\":[\"powerai-train-x\"],"
                + "\"audit\":{\"seq\":3,\"hash\":\"ab\"}}", TrainingResult.class);

        assertThat(result.status()).isEqualTo("aborted");
        assertThat(result.succeeded()).isFalse();
        assertThat(result.outputs()).isNull();
        assertThat(result.audit()).isEqualTo(new AuditStamp(3, "ab"));
    }
}
