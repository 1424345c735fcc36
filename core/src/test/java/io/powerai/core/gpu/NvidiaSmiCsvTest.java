package io.powerai.core.gpu;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NvidiaSmiCsvTest {
    private static final List<String> NOUNITS_FIELDS = List.of("index", "name", "memory.total", "memory.used", "utilization.gpu");

    @Test
    void gpus_realQueryWithHeaderAndUnits() throws Exception {
        List<Gpu> gpus = NvidiaSmiCsv.gpus(GpuFixtures.text("h100/query-gpu.csv"), null);

        assertThat(gpus).hasSize(1);
        Gpu gpu = gpus.get(0);
        assertThat(gpu.index()).isZero();
        assertThat(gpu.uuid()).isEqualTo(GpuFixtures.H100_UUID);
        assertThat(gpu.name()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpu.memoryTotalMiB()).isEqualTo(81559L);
        assertThat(gpu.memoryUsedMiB()).isZero();
        assertThat(gpu.memoryFreeMiB()).isEqualTo(81079L);
        assertThat(gpu.utilizationPercent()).isZero();
        assertThat(gpu.powerDrawWatts()).isEqualTo(116.04);
        assertThat(gpu.powerLimitWatts()).isEqualTo(700.0);
        assertThat(gpu.pciBusId()).isEqualTo("00000000:00:06.0");
    }

    @Test
    void gpus_realQueryWithoutHeaderNorUnits_takesTheFieldsGiven() throws Exception {
        List<Gpu> idle = NvidiaSmiCsv.gpus(GpuFixtures.text("h100/query-gpu-nounits.csv"), NOUNITS_FIELDS);
        List<Gpu> busy = NvidiaSmiCsv.gpus(GpuFixtures.text("h100-busy/query-gpu-nounits.csv"), NOUNITS_FIELDS);

        assertThat(idle.get(0).memoryTotalMiB()).isEqualTo(81559L);
        assertThat(idle.get(0).utilizationPercent()).isZero();
        assertThat(busy.get(0).memoryUsedMiB()).isEqualTo(21709L);
        assertThat(busy.get(0).utilizationPercent()).isEqualTo(100);
        assertThat(busy.get(0).name()).isEqualTo("NVIDIA H100 80GB HBM3");
    }

    @Test
    void gpus_headerPresentThoughFieldsWereGiven_theHeaderWins() throws Exception {
        List<Gpu> gpus = NvidiaSmiCsv.gpus(GpuFixtures.text("h100-busy/query-gpu.csv"), NOUNITS_FIELDS);

        assertThat(gpus.get(0).uuid()).isEqualTo(GpuFixtures.BUSY_UUID);
        assertThat(gpus.get(0).memoryFreeMiB()).isEqualTo(59371L);
    }

    @Test
    void gpus_twoGpus_editedCopy() throws Exception {
        List<Gpu> gpus = NvidiaSmiCsv.gpus(GpuFixtures.text("multi/query-gpu.csv"), null);

        assertThat(gpus).extracting(Gpu::index).containsExactly(0, 1);
        assertThat(gpus).extracting(Gpu::utilizationPercent).containsExactly(0, 100);
    }

    @Test
    void computeApps_realNoProcess_isEmpty() throws Exception {
        assertThat(NvidiaSmiCsv.computeApps(GpuFixtures.text("h100/query-apps.csv"), null)).isEmpty();
    }

    @Test
    void computeApps_realBusy_readsUsedGpuMemoryAsUsedMemory() throws Exception {
        assertThat(NvidiaSmiCsv.computeApps(GpuFixtures.text("h100-busy/query-apps.csv"), null))
                .containsExactly(new GpuProcess(null, 414, "python3", "C", 21700L));
    }

    @Test
    void computeApps_withGpuUuid_namesTheGpu() throws Exception {
        assertThat(NvidiaSmiCsv.computeApps(GpuFixtures.text("multi/query-apps.csv"), null))
                .containsExactly(new GpuProcess(GpuFixtures.BUSY_UUID, 414, "python3", "C", 21700L));
    }

    @Test
    void computeApps_processNameWithACommaKeepsIt() throws Exception {
        String csv = "pid, process_name, used_gpu_memory [MiB]\n77, python3 train.py --tags a,b, 1024 MiB\n";

        assertThat(NvidiaSmiCsv.computeApps(csv, null)).containsExactly(new GpuProcess(null, 77, "python3 train.py --tags a,b", "C", 1024L));
    }

    @Test
    void values_notKnown_areNull() throws Exception {
        String csv = "index, memory.used [MiB], utilization.gpu [%], power.draw [W]\n0, [N/A], [Not Supported], N/A\n";

        Gpu gpu = NvidiaSmiCsv.gpus(csv, null).get(0);
        assertThat(gpu.memoryUsedMiB()).isNull();
        assertThat(gpu.utilizationPercent()).isNull();
        assertThat(gpu.powerDrawWatts()).isNull();
    }

    @Test
    void wrongNumberOfValues_isAFormatErrorNamingTheLine() {
        assertThatThrownBy(() -> NvidiaSmiCsv.gpus("0, NVIDIA H100 80GB HBM3\n", NOUNITS_FIELDS))
                .isInstanceOf(NvidiaSmiFormatException.class)
                .hasMessageStartingWith("line 1 has 2 value(s) where 5 (index, name, memory.total, memory.used, utilization.gpu)");
    }

    @Test
    void garbageNumber_isAFormatError() {
        assertThatThrownBy(() -> NvidiaSmiCsv.gpus("0, H100, lots, 0, 0\n", NOUNITS_FIELDS))
                .isInstanceOf(NvidiaSmiFormatException.class).hasMessage("GPU row 1: not a number: 'lots'");
    }

    @Test
    void noIndexField_isAFormatError() {
        assertThatThrownBy(() -> NvidiaSmiCsv.gpus("name, memory.total [MiB]\nH100, 1 MiB\n", null))
                .isInstanceOf(NvidiaSmiFormatException.class).hasMessageContaining("no 'index' field");
    }

    @Test
    void emptyOutput_hasNoRows() throws Exception {
        assertThat(NvidiaSmiCsv.gpus("\n", NOUNITS_FIELDS)).isEmpty();
    }
}
