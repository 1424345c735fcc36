package io.powerai.core.gpurequest;

import io.powerai.core.gpu.GpuFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class GpuRequestTest {
    @Test
    void canonical_countsAllAndDevices() {
        assertThat(GpuRequest.canonical(0)).contains("0");
        assertThat(GpuRequest.canonical(2)).contains("2");
        assertThat(GpuRequest.canonical("2")).contains("2");
        assertThat(GpuRequest.canonical("007")).contains("7");
        assertThat(GpuRequest.canonical("all")).contains("all");
        assertThat(GpuRequest.canonical("0,1")).contains("device=0,1");
        assertThat(GpuRequest.canonical(" 0, 1 ")).contains("device=0,1");
        assertThat(GpuRequest.canonical("device=1")).contains("device=1");
        assertThat(GpuRequest.canonical(GpuFixtures.H100_UUID)).contains("device=" + GpuFixtures.H100_UUID);
        assertThat(GpuRequest.canonical(GpuFixtures.MIG_1G_UUID)).contains("device=" + GpuFixtures.MIG_1G_UUID);
        assertThat(GpuRequest.canonical(List.of(1))).contains("device=1");
        assertThat(GpuRequest.canonical(List.of(0, "GPU-abc"))).contains("device=0,GPU-abc");
    }

    @Test
    void canonical_rejectsWhatIsNone() {
        for (Object bad : new Object[] {-1, 1000, "many", "", "1.5", 1.5, true, "0,0", "0,", "device=", "device=x", "GPU-",
                List.of(), List.of(1.5), List.of(List.of(1)), "ALL"}) {
            assertThat(GpuRequest.canonical(bad)).as("%s", bad).isEqualTo(Optional.empty());
        }
    }

    @Test
    void parse_roundTripsTheCanonicalForm() {
        assertThat(GpuRequest.parse("0")).isEqualTo(new GpuRequest.None());
        assertThat(GpuRequest.parse("3")).isEqualTo(new GpuRequest.Count(3));
        assertThat(GpuRequest.parse("all")).isEqualTo(new GpuRequest.All());
        assertThat(GpuRequest.parse("device=0,GPU-abc")).isEqualTo(new GpuRequest.Devices(List.of("0", "GPU-abc")));
        assertThat(GpuRequest.parse("device=0,GPU-abc").text()).isEqualTo("device=0,GPU-abc");
        assertThat(GpuRequest.parse("device=0,1").describe()).isEqualTo("GPU(s) 0, 1");
    }
}
