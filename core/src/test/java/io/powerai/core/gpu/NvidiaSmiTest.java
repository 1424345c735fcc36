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

/** nvidia-smi as a process: fake ones (shell scripts printing recorded output) stand for the real one. */
class NvidiaSmiTest {
    @TempDir
    Path tmp;

    private GpuProbe probe(Path binary) {
        return new NvidiaSmi(binary.toString(), new ProcessRunner()).probe();
    }

    @Test
    void probe_realH100Report_findsTheGpu() {
        GpuProbe probe = probe(GpuFixtures.fakeNvidiaSmi(tmp, "h100", "h100/gpu-samples.csv"));

        assertThat(probe).isInstanceOf(GpuProbe.Found.class);
        assertThat(probe.describe()).isEqualTo("1 GPU(s): 0 (1 x NVIDIA H100 80GB HBM3), driver 580.159.04, CUDA 13.0");
    }

    @Test
    void probe_migHost_asksForTheListingAndNamesTheMigDevices() throws Exception {
        GpuProbe probe = probe(GpuFixtures.fakeNvidiaSmi(tmp, "mig", "h100/gpu-samples.csv"));

        GpuInventory inv = ((GpuProbe.Found) probe).inventory();
        assertThat(inv.gpus().get(0).migDevices()).extracting(MigDevice::uuid).containsExactly(GpuFixtures.MIG_3G_UUID, GpuFixtures.MIG_1G_UUID);
        assertThat(Files.readAllLines(tmp.resolve("calls.log"))).containsExactly("-q -x", "-L");
    }

    @Test
    void probe_withoutMig_callsNvidiaSmiOnce() throws Exception {
        probe(GpuFixtures.fakeNvidiaSmi(tmp, "h100", "h100/gpu-samples.csv"));

        assertThat(Files.readAllLines(tmp.resolve("calls.log"))).containsExactly("-q -x");
    }

    @Test
    void probe_noDevices_saysSo() {
        Path smi = GpuFixtures.script(tmp, "nvidia-smi", "echo 'No devices were found'\nexit 6\n");

        assertThat(probe(smi)).isEqualTo(new GpuProbe.Unavailable(GpuProbe.Reason.NO_DEVICES, "exit code 6"));
        assertThat(probe(smi).describe()).isEqualTo("nvidia-smi finds no GPU (exit code 6)");
    }

    @Test
    void probe_driverNotLoaded_saysSo() {
        Path smi = GpuFixtures.script(tmp, "nvidia-smi", "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
                + "driver. Make sure that the latest NVIDIA driver is installed and running.\"\nexit 9\n");

        GpuProbe probe = probe(smi);
        assertThat(probe).isInstanceOf(GpuProbe.Unavailable.class);
        assertThat(((GpuProbe.Unavailable) probe).reason()).isEqualTo(GpuProbe.Reason.DRIVER_NOT_LOADED);
        assertThat(probe.describe()).startsWith("the NVIDIA driver is not loaded (exit code 9: NVIDIA-SMI has failed");
    }

    @Test
    void probe_failingWithAnExitCode_reportsItAndItsFirstLine() {
        Path smi = GpuFixtures.script(tmp, "nvidia-smi", "echo 'Unable to determine the device handle for GPU0000:00:06.0: Unknown Error'\nexit 15\n");

        assertThat(probe(smi)).isEqualTo(new GpuProbe.Unavailable(GpuProbe.Reason.FAILED,
                "exit code 15: Unable to determine the device handle for GPU0000:00:06.0: Unknown Error"));
    }

    @Test
    void probe_garbageWithExitZero_isUnparseable() {
        Path smi = GpuFixtures.script(tmp, "nvidia-smi", "echo 'hello from a wrapper script'\n");

        GpuProbe probe = probe(smi);
        assertThat(((GpuProbe.Unavailable) probe).reason()).isEqualTo(GpuProbe.Reason.UNPARSEABLE);
        assertThat(probe.describe()).isEqualTo("nvidia-smi's output cannot be read (no nvidia_smi_log document in the output; "
                + "it began with 'hello from a wrapper script')");
    }

    @Test
    void probe_emptyOutput_isUnparseable() {
        assertThat(probe(GpuFixtures.script(tmp, "nvidia-smi", "exit 0\n")).describe()).endsWith("; the output was empty)");
    }

    @Test
    void probe_notInstalled_isATypedAnswerNotAnException() {
        GpuProbe probe = probe(tmp.resolve("no-such-nvidia-smi"));

        assertThat(((GpuProbe.Unavailable) probe).reason()).isEqualTo(GpuProbe.Reason.NOT_INSTALLED);
        assertThat(probe.describe()).startsWith("nvidia-smi is not installed (cannot start it; install the NVIDIA driver, or name it with POWERAI_NVIDIA_SMI");
    }

    @Test
    void probe_warningPrintedBeforeTheDocument_isSkipped() {
        String xml = GpuFixtures.text("h100/nvidia-smi-q.xml");
        Path doc = tmp.resolve("doc.xml");
        try {
            Files.writeString(doc, "WARNING: infoROM is corrupted at gpu 0000:00:06.0\n" + xml);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        GpuProbe probe = probe(GpuFixtures.script(tmp, "nvidia-smi", "cat '" + doc + "'\n"));

        assertThat(probe).isInstanceOf(GpuProbe.Found.class);
    }

    @Test
    void probe_reportWithoutGpus_isNoDevices() {
        Path smi = GpuFixtures.script(tmp, "nvidia-smi", "echo '<?xml version=\"1.0\" ?><nvidia_smi_log><driver_version>580.159.04</driver_version>"
                + "<attached_gpus>0</attached_gpus></nvidia_smi_log>'\n");

        assertThat(probe(smi)).isEqualTo(new GpuProbe.Unavailable(GpuProbe.Reason.NO_DEVICES, "its report lists no GPU"));
    }

    @Test
    void fromEnvironment_takesPowerAiNvidiaSmi_elseThePath() {
        assertThat(NvidiaSmi.fromEnvironment(Map.of("POWERAI_NVIDIA_SMI", "/opt/nv/nvidia-smi"), new ProcessRunner()).binary())
                .isEqualTo("/opt/nv/nvidia-smi");
        assertThat(NvidiaSmi.fromEnvironment(Map.of(), new ProcessRunner()).binary()).isEqualTo("nvidia-smi");
    }

    @Test
    void startSampling_runsNvidiaSmisOwnLoopOnTheChosenGpus() throws Exception {
        Path smi = GpuFixtures.fakeNvidiaSmi(tmp, "multi", "multi/gpu-samples-nounits.csv");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());

        ProcessRunner.Background sampling = new NvidiaSmi(smi.toString(), new ProcessRunner())
                .startSampling(List.of("0", "1"), Duration.ofMillis(500), lines::add);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (lines.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        sampling.stop();

        assertThat(lines.subList(0, 4)).containsExactly(GpuFixtures.text("multi/gpu-samples-nounits.csv").lines().limit(4).toArray(String[]::new));
        assertThat(Files.readString(tmp.resolve("calls.log")).strip())
                .isEqualTo("--query-gpu=timestamp,index,utilization.gpu,memory.used,power.draw --format=csv,noheader,nounits -lms 500 --id=0,1");
        assertThat(sampling.isAlive()).isFalse();
    }
}
