package io.powerai.core.gpu;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The GPU stack fingerprint from the recorded hosts' nvidia-smi output, and what changes between two stacks. */
class GpuStackTest {

    @Test
    void of_theRecordedH100Host() {
        GpuStack stack = GpuStack.of(GpuFixtures.inventory("h100"), "9.19.0");

        assertThat(stack.toJson()).containsEntry("driver", "580.159.04").containsEntry("cuda", "13.0").containsEntry("cudnn", "9.19.0")
                .containsEntry("models", Map.of("NVIDIA H100 80GB HBM3 (81559 MiB)", 1));
        assertThat(stack.fingerprint()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void fingerprint_dependsOnTheStack_notOnLoadOrWhichGpuIsBusy() {
        // The busy host is the same machine with a process on its GPU: same stack, same fingerprint.
        assertThat(GpuStack.of(GpuFixtures.inventory("h100-busy"), null).fingerprint())
                .isEqualTo(GpuStack.of(GpuFixtures.inventory("h100"), null).fingerprint());
        assertThat(GpuStack.of(GpuFixtures.inventory("multi"), null).fingerprint())
                .isNotEqualTo(GpuStack.of(GpuFixtures.inventory("h100"), null).fingerprint());
    }

    @Test
    void changesSince_namesEachDifference_oneGpuMoreIncluded() {
        GpuStack recorded = new GpuStack("535.104.05", "12.2", "8.9.2", Map.of("NVIDIA A100-SXM4-80GB (81920 MiB)", 1));
        GpuStack now = GpuStack.of(GpuFixtures.inventory("multi"), "8.9.2");

        assertThat(now.changesSince(recorded)).containsExactly("driver 535.104.05 -> 580.159.04", "CUDA (driver) 12.2 -> 13.0",
                "GPUs 1 x NVIDIA A100-SXM4-80GB (81920 MiB) -> 2 x NVIDIA H100 80GB HBM3 (81559 MiB)");
        assertThat(now.changesSince(now)).isEmpty();
    }

    @Test
    void changesSince_aCudnnOnlyOneSideDeclares_isNoChange_twoDeclaredDifferentOnesAre() {
        GpuStack with = GpuStack.of(GpuFixtures.inventory("h100"), "9.1.0");
        GpuStack without = GpuStack.of(GpuFixtures.inventory("h100"), null);

        assertThat(with.changesSince(without)).isEmpty();
        assertThat(with.changesSince(GpuStack.of(GpuFixtures.inventory("h100"), "8.9.7"))).containsExactly("cuDNN 8.9.7 -> 9.1.0");
    }

    @Test
    void fromJson_readsWhatToJsonWrote_throughARoundTripOfTheResultFile() throws Exception {
        GpuStack stack = GpuStack.of(GpuFixtures.inventory("multi"), "9.1.0");
        Map<String, Object> reread = Json.parseObject(Json.pretty(Map.of("gpuStack", stack.toJson())));

        assertThat(GpuStack.fromJson(reread.get("gpuStack"))).isEqualTo(stack);
        assertThat(GpuStack.fromJson("not a stack")).isNull();
    }

    /** A snapshot result's gpuStack is written from the record: the same JSON as before, and read back to the same stack. */
    @Test
    void record_writesWhatToJsonWrote_andReadsBackTheSameStack() {
        for (GpuStack stack : java.util.List.of(GpuStack.of(GpuFixtures.inventory("h100"), "9.19.0"),
                GpuStack.of(GpuFixtures.inventory("multi"), null),
                new GpuStack(null, null, null, Map.of("unknown model", 1)))) {
            assertThat(Json.pretty(stack.toRecord())).isEqualTo(Json.pretty(stack.toJson()));
            assertThat(GpuStack.fromRecord(stack.toRecord())).isEqualTo(stack);
        }
        assertThat(GpuStack.fromRecord(null)).isNull();
    }
}
