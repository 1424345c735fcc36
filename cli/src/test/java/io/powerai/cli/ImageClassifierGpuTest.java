package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image-classifier on a real GPU in native mode (no container: a GPU host's Python with a CUDA build of torch),
 * the preflight against the real nvidia-smi and the sampler on. Skips with the reason elsewhere ({@link LocalGpu}).
 */
class ImageClassifierGpuTest {
    @TempDir
    Path tmp;

    @Test
    void nativeTraining_onTheGpu_usesItAndRecordsItsTelemetry() throws Exception {
        LocalGpu.require();
        Path project = LocalInfrastructure.copyExample(tmp, "image-classifier", "image-classifier-gpu", 8891);
        Path spec = project.resolve("powerai.yaml");
        Files.writeString(spec, Files.readString(spec)
                .replaceFirst("(?m)^train:.*$", "train:\n  backend: native\n  python: " + LocalGpu.python() + "\n  gpus: 1")
                .replaceFirst("(?m)^  args: .*$", "  args: [\"--device\", \"cuda\", \"--epochs\", \"20\"]"));

        CliRun train = CliRun.of("train", project.toString());

        assertThat(train.exitCode()).as(train.toString()).isZero();
        assertThat(train.out()).contains("[gpuTrain] GPU preflight: using GPU").contains("[gpuTrain] | device: cuda ");
        Map<String, Object> result = Json.readObject(project.resolve(".powerai/gpuTrain.json"));
        assertThat(result).containsEntry("backend", "native").containsEntry("status", "succeeded");
        @SuppressWarnings("unchecked")
        Map<String, Object> telemetry = (Map<String, Object>) result.get("gpuTelemetry");
        assertThat(telemetry).doesNotContainKey("problem");
        assertThat(((Number) telemetry.get("samples")).longValue()).isPositive();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> gpus = (List<Map<String, Object>>) telemetry.get("gpus");
        assertThat(((Number) gpus.get(0).get("memoryPeakMiB")).longValue()).isPositive();
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) result.get("metrics");
        assertThat(((Number) metrics.get("test_accuracy")).doubleValue()).isGreaterThan(0.9);
    }
}
