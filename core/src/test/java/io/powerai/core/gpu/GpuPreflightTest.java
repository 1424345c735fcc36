package io.powerai.core.gpu;

import io.powerai.core.gpurequest.GpuRequest;

import io.powerai.core.gpurequest.FreeMemoryRule;

import io.powerai.core.Golden;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The preflight's decisions on the recorded hosts (real: h100, h100-busy; edited copies: multi, mig). */
class GpuPreflightTest {
    private static final ContainerGpuRuntime.Check DOCKER_OK = new ContainerGpuRuntime.Check(true, "docker runtime 'nvidia'", null, Set.of());

    private static GpuPreflight.Outcome evaluate(String host, GpuRequest request) {
        return evaluate(found(host), request, FreeMemoryRule.DEFAULT, false, null, DOCKER_OK);
    }

    private static GpuPreflight.Outcome evaluate(GpuProbe probe, GpuRequest request, FreeMemoryRule free, boolean shared, String cuda,
                                                 ContainerGpuRuntime.Check runtime) {
        return GpuPreflight.evaluate(new GpuPreflight.Input(request, probe, free, shared, cuda, cuda == null ? null : "train.cuda", runtime));
    }

    private static GpuProbe found(String host) {
        GpuInventory inv = GpuFixtures.inventory(host);
        if (host.equals("mig")) {
            try {
                inv = NvidiaSmiList.withMigIdentities(inv, NvidiaSmiList.parse(GpuFixtures.text("mig/nvidia-smi-L.txt")));
            } catch (NvidiaSmiFormatException e) {
                throw new AssertionError(e);
            }
        }
        return new GpuProbe.Found(inv);
    }

    @Test
    void oneGpu_onTheIdleH100_isGrantedByIndexForTheEngineAndByUuidForCuda() {
        GpuPreflight.Outcome o = evaluate("h100", new GpuRequest.Count(1));

        assertThat(o.ok()).isTrue();
        assertThat(o.engineRequest()).isEqualTo("device=0");
        assertThat(o.cudaVisibleDevices()).containsExactly(GpuFixtures.H100_UUID);
        assertThat(o.warnings()).isEmpty();
    }

    @Test
    void oneGpu_onTheBusyH100_failsNamingTheProcessAndTheFreeMemory() {
        GpuPreflight.Outcome o = evaluate("h100-busy", new GpuRequest.Count(1));

        assertThat(o.ok()).isFalse();
        assertThat(o.selected()).isEmpty();
        assertThat(o.problems()).containsExactly("only 0 of the host's 1 GPU(s) can be used: "
                + "GPU 0 (NVIDIA H100 80GB HBM3) has 59371 MiB of 81559 MiB free (73%); gpu_min_free_memory asks for 90%; "
                + "GPU 0 (NVIDIA H100 80GB HBM3) is in use by python3 (pid 414, 21700 MiB); set gpu_allow_shared: true to share it");
    }

    @Test
    void oneGpu_onTheBusyH100_sharedAndWithALowerThreshold_isGranted() {
        GpuPreflight.Outcome o = evaluate(found("h100-busy"), new GpuRequest.Count(1), FreeMemoryRule.mebibytes(40_000), true, null, DOCKER_OK);

        assertThat(o.ok()).isTrue();
        assertThat(o.engineRequest()).isEqualTo("device=0");
    }

    @Test
    void moreGpusThanTheHostHas_saysHowManyItHas() {
        assertThat(evaluate("h100", new GpuRequest.Count(2)).problems())
                .containsExactly("it asks for 2 GPU(s) and the host has 1: 0 (1 x NVIDIA H100 80GB HBM3)");
    }

    @Test
    void twoGpuHost_oneGpu_takesTheFreeOneAndNotesTheOther() {
        GpuPreflight.Outcome o = evaluate("multi", new GpuRequest.Count(1));

        assertThat(o.ok()).isTrue();
        assertThat(o.engineRequest()).isEqualTo("device=0");
        assertThat(o.notes()).anySatisfy(n -> assertThat(n).startsWith("passed over: GPU 1 (NVIDIA H100 80GB HBM3) has 59371 MiB"));
    }

    @Test
    void twoGpuHost_twoGpus_failsOnTheBusyOne() {
        assertThat(evaluate("multi", new GpuRequest.Count(2)).problems()).singleElement().asString()
                .startsWith("only 1 of the host's 2 GPU(s) can be used: GPU 1 (NVIDIA H100 80GB HBM3)");
    }

    @Test
    void twoGpuHost_all_failsOnTheBusyOne_butAllStaysAllForTheEngine() {
        GpuPreflight.Outcome busy = evaluate("multi", new GpuRequest.All());
        GpuPreflight.Outcome shared = evaluate(found("multi"), new GpuRequest.All(), FreeMemoryRule.percent(50), true, null, DOCKER_OK);

        assertThat(busy.problems()).hasSize(2).allSatisfy(p -> assertThat(p).startsWith("GPU 1 (NVIDIA H100 80GB HBM3)"));
        assertThat(shared.ok()).isTrue();
        assertThat(shared.engineRequest()).isEqualTo("all");
        assertThat(shared.cudaVisibleDevices()).containsExactly(GpuFixtures.H100_UUID, GpuFixtures.BUSY_UUID);
    }

    @Test
    void devices_byIndexAndByUuid() {
        assertThat(evaluate("multi", new GpuRequest.Devices(List.of("0"))).engineRequest()).isEqualTo("device=0");
        GpuPreflight.Outcome byUuid = evaluate(found("multi"), new GpuRequest.Devices(List.of(GpuFixtures.BUSY_UUID)),
                FreeMemoryRule.percent(10), true, null, DOCKER_OK);
        assertThat(byUuid.engineRequest()).isEqualTo("device=1");
        assertThat(byUuid.cudaVisibleDevices()).containsExactly(GpuFixtures.BUSY_UUID);
    }

    @Test
    void devices_unknownId_namesItAndWhatTheHostHas() {
        assertThat(evaluate("multi", new GpuRequest.Devices(List.of("0", "3"))).problems())
                .containsExactly("it names GPU '3', which the host does not have (it has 0, 1 (2 x NVIDIA H100 80GB HBM3))");
    }

    @Test
    void migHost_wholeGpu_isRefusedWithTheWayOut() {
        assertThat(evaluate("mig", new GpuRequest.Count(1)).problems()).singleElement().asString()
                .contains("GPU 0 (NVIDIA H100 80GB HBM3) is in MIG mode and runs CUDA only in its MIG devices: name them by UUID in 'gpus'");
    }

    @Test
    void migHost_migDeviceByUuid_isGrantedByUuid() {
        GpuPreflight.Outcome o = evaluate("mig", new GpuRequest.Devices(List.of(GpuFixtures.MIG_3G_UUID)));

        assertThat(o.ok()).isTrue();
        assertThat(o.engineRequest()).isEqualTo("device=" + GpuFixtures.MIG_3G_UUID);
        assertThat(o.cudaVisibleDevices()).containsExactly(GpuFixtures.MIG_3G_UUID);
        assertThat(o.facts().get("gpus").toString()).contains("migProfile=3g.40gb");
    }

    @Test
    void migHost_fullMigDevice_isRefused() {
        assertThat(evaluate("mig", new GpuRequest.Devices(List.of(GpuFixtures.MIG_1G_UUID))).problems())
                .containsExactly("MIG device " + GpuFixtures.MIG_1G_UUID + " has 484 MiB of 9984 MiB free; gpu_min_free_memory asks for 90%");
    }

    @Test
    void noGpuAnswer_isTheProblem() {
        GpuProbe none = new GpuProbe.Unavailable(GpuProbe.Reason.NO_DEVICES, "exit code 6");

        assertThat(evaluate(none, new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, null, DOCKER_OK).problems())
                .containsExactly("nvidia-smi finds no GPU (exit code 6)");
    }

    @Test
    void runtimeMissing_isAProblemEvenWithFreeGpus() {
        ContainerGpuRuntime.Check missing = ContainerGpuRuntime.docker("{\"runc\":{}}", null, null);

        assertThat(evaluate(found("h100"), new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, null, missing).problems())
                .singleElement().asString().startsWith("docker has no NVIDIA runtime");
    }

    @Test
    void nativeRun_hasNoRuntimeToCheck() {
        assertThat(evaluate(found("h100"), new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, null, null).ok()).isTrue();
    }

    @Test
    void podmanCdiSpecWithoutTheChosenDevice_isAProblem() {
        ContainerGpuRuntime.Check cdi = new ContainerGpuRuntime.Check(true, "CDI spec /etc/cdi/nvidia.yaml", null, Set.of("all"));

        assertThat(evaluate(found("h100"), new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, null, cdi).problems())
                .singleElement().asString().startsWith("the CDI specs define no device nvidia.com/gpu=0 (they define all)");
        assertThat(evaluate(found("h100"), new GpuRequest.All(), FreeMemoryRule.DEFAULT, false, null, cdi).ok()).isTrue();
    }

    @Test
    void cuda_tooNewForTheDriver_isAProblem_newerMinor_aWarning() {
        GpuPreflight.Outcome tooNew = evaluate(found("h100"), new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, "14.0", DOCKER_OK);
        GpuPreflight.Outcome minor = evaluate(found("h100"), new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, "13.1", DOCKER_OK);

        assertThat(tooNew.problems()).singleElement().asString()
                .isEqualTo("driver 580.159.04 supports CUDA up to 13.0, older than 14.0; upgrade the driver or use an image built for "
                        + "CUDA <= 13.0 (CUDA 14.0 from train.cuda)");
        assertThat(minor.ok()).isTrue();
        assertThat(minor.warnings()).singleElement().asString().contains("minor version compatibility");
    }

    @Test
    void facts_ofAGrantedRun_golden() {
        GpuPreflight.Outcome o = evaluate(found("multi"), new GpuRequest.Count(1), FreeMemoryRule.DEFAULT, false, "12.4", DOCKER_OK);

        Golden.assertMatches(GpuPreflightTest.class, "multi-count-1", "json", Json.pretty(o.facts()));
    }

    @Test
    void facts_ofARefusedRun_golden() {
        Golden.assertMatches(GpuPreflightTest.class, "busy-count-1", "json", Json.pretty(evaluate("h100-busy", new GpuRequest.Count(1)).facts()));
    }
}
