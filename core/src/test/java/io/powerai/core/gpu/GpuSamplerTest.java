package io.powerai.core.gpu;

import io.powerai.core.process.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuSamplerTest {
    @TempDir
    Path tmp;

    @Test
    void summary_ofTheRealSamplesRecordedDuringATraining() throws Exception {
        TelemetrySummary summary = new TelemetrySummary();
        for (String line : GpuFixtures.text("h100/gpu-samples.csv").lines().toList()) {
            summary.add(GpuSample.parse(line));
        }

        assertThat(summary.samples()).isEqualTo(30);
        assertThat(summary.gpus()).containsExactly(Map.of("index", 0, "samples", 30L, "utilizationMeanPercent", 7.1,
                "utilizationMaxPercent", 88.0, "memoryPeakMiB", 15303L, "powerMeanWatts", 130.0, "powerMaxWatts", 425.3));
        assertThat(summary.describe()).isEqualTo("GPU 0: utilization mean 7.1% (max 88.0%), memory peak 15303 MiB, power mean 130.0 W");
    }

    @Test
    void sample_withAndWithoutUnits_readTheSame() throws Exception {
        GpuSample withUnits = GpuSample.parse("2026/11/26 16:41:04.238, 0, 87 %, 15303 MiB, 247.56 W");
        GpuSample without = GpuSample.parse("2026/11/26 16:41:04.238, 0, 87, 15303, 247.56");

        assertThat(withUnits).isEqualTo(without).isEqualTo(new GpuSample("2026/11/26 16:41:04.238", 0, 87.0, 15303.0, 247.56));
        assertThat(withUnits.csv()).isEqualTo("2026/11/26 16:41:04.238,0,87,15303,247.56");
        assertThat(GpuSample.parse("2026/11/26 16:41:04.765, 1, 99, 21711, [N/A]").csv()).isEqualTo("2026/11/26 16:41:04.765,1,99,21711,");
    }

    @Test
    void sample_errorText_isNotASample() {
        assertThatThrownBy(() -> GpuSample.parse("No devices were found")).isInstanceOf(NvidiaSmiFormatException.class);
        assertThatThrownBy(() -> GpuSample.parse("Unknown Error, 0, 1, 2, 3")).isInstanceOf(NvidiaSmiFormatException.class);
    }

    @Test
    void sampler_withAFakeNvidiaSmiOnTwoGpus_keepsTheCsvAndSummarizesPerGpu() throws Exception {
        Path smi = GpuFixtures.fakeNvidiaSmi(tmp, "multi", "multi/gpu-samples-nounits.csv");
        Path csv = tmp.resolve("out/gpu-samples.csv");
        List<String> reports = Collections.synchronizedList(new ArrayList<>());

        GpuSampler sampler = GpuSampler.start(new NvidiaSmi(smi.toString(), new ProcessRunner()), List.of("0", "1"), Duration.ofMillis(200),
                csv, Duration.ZERO, reports::add);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sampler.summary().samples() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Map<String, Object> result = sampler.stop();

        List<String> rows = Files.readAllLines(csv);
        assertThat(rows.get(0)).isEqualTo("timestamp,index,utilization_gpu_percent,memory_used_mib,power_draw_watts");
        assertThat(rows.subList(1, 7)).containsExactly(
                "2026/11/26 16:41:03.713,0,1,1733,131.15",
                "2026/11/26 16:41:03.713,1,100,21709,569.37",
                "2026/11/26 16:41:04.238,0,87,15303,247.56",
                "2026/11/26 16:41:04.238,1,100,21709,571.02",
                "2026/11/26 16:41:04.765,0,88,15303,425.31",
                "2026/11/26 16:41:04.765,1,99,21711,");
        assertThat(result).containsEntry("intervalMillis", 200L).doesNotContainKey("problem");
        assertThat((long) result.get("samples")).isGreaterThanOrEqualTo(6);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> gpus = (List<Map<String, Object>>) result.get("gpus");
        assertThat(gpus).extracting(g -> g.get("index")).containsExactly(0, 1);
        assertThat(gpus.get(0)).containsEntry("utilizationMaxPercent", 88.0).containsEntry("memoryPeakMiB", 15303L);
        assertThat(gpus.get(1)).containsEntry("utilizationMaxPercent", 100.0).containsEntry("memoryPeakMiB", 21711L);
        assertThat(reports).isNotEmpty().allSatisfy(r -> assertThat(r).startsWith("GPU 0: "));
    }

    @Test
    void sampler_nvidiaSmiMissing_saysSoAndNeverThrows() {
        GpuSampler sampler = GpuSampler.start(new NvidiaSmi(tmp.resolve("none").toString(), new ProcessRunner()), List.of(),
                Duration.ofSeconds(1), tmp.resolve("gpu-samples.csv"), Duration.ofSeconds(30), r -> { });

        Map<String, Object> result = sampler.stop();
        assertThat(result).containsEntry("samples", 0L);
        assertThat((String) result.get("problem")).startsWith("sampling could not start: cannot start '" + tmp.resolve("none"));
    }

    @Test
    void sampler_nvidiaSmiFailing_reportsItsExitAndMessage() throws Exception {
        Path smi = GpuFixtures.script(tmp, "nvidia-smi", "echo 'No devices were found'\nexit 6\n");
        GpuSampler sampler = GpuSampler.start(new NvidiaSmi(smi.toString(), new ProcessRunner()), List.of(), Duration.ofSeconds(1),
                tmp.resolve("gpu-samples.csv"), Duration.ofSeconds(30), r -> { });
        Thread.sleep(300);

        Map<String, Object> result = sampler.stop();
        assertThat(result.get("problem")).isEqualTo("nvidia-smi stopped sampling with exit code 6: No devices were found");
        assertThat(result).containsEntry("unreadableLines", 1L);
    }
}
