package io.powerai.core.gpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NvidiaSmiXmlTest {
    @TempDir
    Path tmp;

    @Test
    void parse_realH100_readsEveryFactThePreflightUses() {
        GpuInventory inv = GpuFixtures.inventory("h100");

        assertThat(inv.driverVersion()).isEqualTo("580.159.04");
        assertThat(inv.cudaVersion()).isEqualTo("13.0");
        assertThat(inv.count()).isEqualTo(1);
        Gpu gpu = inv.gpus().get(0);
        assertThat(gpu.index()).isZero();
        assertThat(gpu.uuid()).isEqualTo(GpuFixtures.H100_UUID);
        assertThat(gpu.name()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpu.pciBusId()).isEqualTo("00000000:00:06.0");
        assertThat(gpu.memoryTotalMiB()).isEqualTo(81559L);
        assertThat(gpu.memoryUsedMiB()).isZero();
        assertThat(gpu.memoryFreeMiB()).isEqualTo(81079L);
        assertThat(gpu.utilizationPercent()).isZero();
        assertThat(gpu.powerDrawWatts()).isEqualTo(78.37); // instant_power_draw, not the average
        assertThat(gpu.powerLimitWatts()).isEqualTo(700.0);
        assertThat(gpu.migMode()).isEqualTo("Disabled");
        assertThat(gpu.migEnabled()).isFalse();
        assertThat(gpu.migDevices()).isEmpty();
        assertThat(gpu.processes()).isEmpty();
    }

    @Test
    void parse_realBusyH100_readsTheProcessHoldingIt() {
        Gpu gpu = GpuFixtures.inventory("h100-busy").gpus().get(0);

        assertThat(gpu.memoryUsedMiB()).isEqualTo(21709L);
        assertThat(gpu.memoryFreeMiB()).isEqualTo(59371L);
        assertThat(gpu.utilizationPercent()).isEqualTo(100);
        assertThat(gpu.processes()).containsExactly(new GpuProcess(GpuFixtures.BUSY_UUID, 414, "python3", "C", 21700L));
        assertThat(gpu.computeProcesses()).hasSize(1);
    }

    @Test
    void parse_twoGpus_editedCopyOfTheRealOnes_inIndexOrder() {
        GpuInventory inv = GpuFixtures.inventory("multi");

        assertThat(inv.count()).isEqualTo(2);
        assertThat(inv.gpus()).extracting(Gpu::index).containsExactly(0, 1);
        assertThat(inv.gpus()).extracting(Gpu::uuid).containsExactly(GpuFixtures.H100_UUID, GpuFixtures.BUSY_UUID);
        assertThat(inv.gpus().get(1).pciBusId()).isEqualTo("00000000:00:07.0");
        assertThat(inv.gpus().get(1).processes()).extracting(GpuProcess::pid).containsExactly(414L);
        assertThat(inv.summary()).isEqualTo("0, 1 (2 x NVIDIA H100 80GB HBM3)");
        assertThat(inv.find("1")).contains(inv.gpus().get(1));
        assertThat(inv.find(GpuFixtures.BUSY_UUID.toUpperCase())).contains(inv.gpus().get(1));
        assertThat(inv.find("2")).isEmpty();
    }

    @Test
    void parse_migEnabled_editedCopy_hasMigDevicesAndNoWholeGpuMemory() {
        Gpu gpu = GpuFixtures.inventory("mig").gpus().get(0);

        assertThat(gpu.migEnabled()).isTrue();
        assertThat(gpu.memoryTotalMiB()).isEqualTo(81559L);
        assertThat(gpu.memoryUsedMiB()).isNull();
        assertThat(gpu.memoryFreeMiB()).isNull();
        assertThat(gpu.utilizationPercent()).isNull();
        assertThat(gpu.migDevices()).containsExactly(
                new MigDevice(0, 1, 0, null, null, 60, 40448L, 298L, 40151L),
                new MigDevice(1, 9, 0, null, null, 16, 9984L, 9500L, 484L));
    }

    @Test
    void parse_garbage_isAFormatErrorSayingSo() {
        assertThatThrownBy(() -> NvidiaSmiXml.parse("Segmentation fault (core dumped)"))
                .isInstanceOf(NvidiaSmiFormatException.class).hasMessageStartingWith("not valid XML");
    }

    @Test
    void parse_truncatedDocument_isAFormatError() {
        String xml = GpuFixtures.text("h100/nvidia-smi-q.xml");

        assertThatThrownBy(() -> NvidiaSmiXml.parse(xml.substring(0, xml.length() / 2)))
                .isInstanceOf(NvidiaSmiFormatException.class).hasMessageStartingWith("not valid XML");
    }

    @Test
    void parse_anotherXmlDocument_namesItsRoot() {
        assertThatThrownBy(() -> NvidiaSmiXml.parse("<?xml version=\"1.0\"?><html><body/></html>"))
                .isInstanceOf(NvidiaSmiFormatException.class).hasMessageContaining("<html>");
    }

    @Test
    void parse_garbageValue_namesTheGpu() {
        String xml = GpuFixtures.text("h100/nvidia-smi-q.xml").replace("<total>81559 MiB</total>", "<total>lots</total>");

        assertThatThrownBy(() -> NvidiaSmiXml.parse(xml)).isInstanceOf(NvidiaSmiFormatException.class)
                .hasMessage("GPU 0: not a number: 'lots'");
    }

    @Test
    void parse_documentDeclaringAnExternalEntity_isRefusedAndTheFileNeverRead() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE nvidia_smi_log [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<nvidia_smi_log><driver_version>&x;</driver_version></nvidia_smi_log>";

        assertThatThrownBy(() -> NvidiaSmiXml.parse(xml)).isInstanceOf(NvidiaSmiFormatException.class)
                .hasMessageContaining("declares entities").hasMessageNotContaining("TOP-SECRET");
    }

    @Test
    void parse_externalDtd_isNeverLoaded() throws Exception {
        // A DTD that, if it were loaded, would define the entity the document uses.
        Path dtd = Files.writeString(tmp.resolve("evil.dtd"), "<!ENTITY v \"666\">");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE nvidia_smi_log SYSTEM \"" + dtd.toUri() + "\">\n"
                + "<nvidia_smi_log><driver_version>&v;</driver_version><cuda_version>13.0</cuda_version></nvidia_smi_log>";

        String driver;
        try {
            driver = NvidiaSmiXml.parse(xml).driverVersion();
        } catch (NvidiaSmiFormatException e) {
            driver = e.getMessage();
        }
        assertThat(String.valueOf(driver)).doesNotContain("666");
    }

    @Test
    void parse_realDocumentNamesAMissingDtd_andStillParses() {
        assertThat(GpuFixtures.text("h100/nvidia-smi-q.xml")).contains("SYSTEM \"nvsmi_device_v13.dtd\"");
        assertThat(GpuFixtures.inventory("h100").count()).isEqualTo(1);
    }

    @Test
    void toMap_listsTheFactsForPeople() {
        assertThat(GpuFixtures.inventory("h100-busy").toMap())
                .containsEntry("driverVersion", "580.159.04").containsEntry("cudaVersion", "13.0").containsEntry("count", 1)
                .hasEntrySatisfying("gpus", gpus -> assertThat(gpus.toString()).contains("pid=414").contains("migMode=disabled"));
    }
}
