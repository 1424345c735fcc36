package io.powerai.core.gpu;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NvidiaSmiListTest {
    @Test
    void parse_realListing() throws Exception {
        assertThat(NvidiaSmiList.parse(GpuFixtures.text("h100/nvidia-smi-L.txt")))
                .containsExactly(new NvidiaSmiList.Entry(0, null, "NVIDIA H100 80GB HBM3", GpuFixtures.H100_UUID));
    }

    @Test
    void parse_migListing_hasTheMigDevicesUnderTheirGpu() throws Exception {
        assertThat(NvidiaSmiList.parse(GpuFixtures.text("mig/nvidia-smi-L.txt"))).containsExactly(
                new NvidiaSmiList.Entry(0, null, "NVIDIA H100 80GB HBM3", GpuFixtures.H100_UUID),
                new NvidiaSmiList.Entry(0, 0, "3g.40gb", GpuFixtures.MIG_3G_UUID),
                new NvidiaSmiList.Entry(0, 1, "1g.10gb", GpuFixtures.MIG_1G_UUID));
    }

    @Test
    void withMigIdentities_namesTheXmlsMigDevices() throws Exception {
        GpuInventory inv = NvidiaSmiList.withMigIdentities(GpuFixtures.inventory("mig"),
                NvidiaSmiList.parse(GpuFixtures.text("mig/nvidia-smi-L.txt")));

        assertThat(inv.gpus().get(0).migDevices()).extracting(MigDevice::uuid).containsExactly(GpuFixtures.MIG_3G_UUID, GpuFixtures.MIG_1G_UUID);
        assertThat(inv.gpus().get(0).migDevices()).extracting(MigDevice::profile).containsExactly("3g.40gb", "1g.10gb");
        assertThat(inv.find(GpuFixtures.MIG_1G_UUID)).contains(inv.gpus().get(0));
        assertThat(inv.findMig(GpuFixtures.MIG_1G_UUID).orElseThrow().memoryFreeMiB()).isEqualTo(484L);
    }

    @Test
    void parse_garbage_isAFormatError() {
        assertThatThrownBy(() -> NvidiaSmiList.parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."))
                .isInstanceOf(NvidiaSmiFormatException.class).hasMessageStartingWith("not an nvidia-smi -L line");
    }
}
