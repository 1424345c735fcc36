package io.powerai.core.stage.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.event.StageEvents;
import io.powerai.core.gpu.ContainerGpuRuntime;
import io.powerai.core.gpurequest.CudaCompatibility;
import io.powerai.core.gpurequest.GpuPolicy;
import io.powerai.core.gpu.GpuPreflight;
import io.powerai.core.gpu.GpuProbe;
import io.powerai.core.gpurequest.GpuRequest;
import io.powerai.core.gpu.GpuStack;
import io.powerai.core.gpu.GpuTools;
import io.powerai.core.json.Json;
import io.powerai.core.result.SnapshotResult;
import io.powerai.core.result.TrainingResult;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import io.powerai.core.stage.StageContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU side of a training run: the preflight and what follows from it under the run's {@code gpu_policy}
 * (go on with the chosen GPUs, stop with exit 3, or fall back to the CPU). Nothing here runs for a CPU run.
 */
public final class TrainingGpu {
    /** Labels and variables that name the CUDA version an image was built for, in the order they are trusted. */
    static final List<String> CUDA_LABELS = List.of("io.powerai.cuda", "com.nvidia.cuda.version");
    static final String CUDA_ENV = "CUDA_VERSION";

    /**
     * @param engineGpus the engine's GPU request ("all", "device=0,1", a count when unchecked), or null for none
     * @param cudaVisibleDevices a run on the host: the devices CUDA may see (empty: none, the CPU); null: leave as it is
     * @param sampleIds GPUs to sample during the run (empty: all), or null to sample nothing
     * @param record what the result and audit keep ({@code gpuPreflight}), or null when no GPU was asked for
     * @param fallback why a GPU run became a CPU run, or null
     */
    public record Plan(String engineGpus, List<String> cudaVisibleDevices, List<String> sampleIds, Map<String, Object> record, String fallback) {
        public boolean usesGpus() {
            return engineGpus != null;
        }
    }

    private TrainingGpu() {
    }

    /** The GPUs a run at {@code placement} gets, after the preflight its {@code gpu_policy} asks for. */
    public static Plan plan(StageContext ctx, TrainSpec spec, String image, Placement placement, StageEvents events) {
        if (!spec.wantsGpus()) {
            // A native CPU run hides the GPUs: gpus 0 must mean the same thing with and without a container.
            return new Plan(null, placement.cudaVisibleDevices(List.of()), null, null, null);
        }
        GpuRequest request = spec.gpuRequest();
        if (spec.gpuPolicy() == GpuPolicy.NONE) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("policy", GpuPolicy.NONE.text());
            record.put("requested", request.text());
            record.put("decision", "gpu");
            List<String> ids = request instanceof GpuRequest.Devices d ? d.ids() : List.of();
            return new Plan(request.text(), ids.isEmpty() ? null : placement.cudaVisibleDevices(ids),
                    ids.stream().allMatch(id -> !id.startsWith("MIG-")) ? ids : List.of(), record, null);
        }
        GpuTools tools = ctx.gpu();
        GpuProbe probe = tools.nvidiaSmi().probe();
        ContainerGpuRuntime.Check runtime = placement.runtime(ctx.engine(), tools);
        String cuda = spec.cuda();
        String cudaSource = cuda == null ? null : "train.cuda";
        if (cuda == null && placement.runsTheSnapshotImage() && ctx.spec().environment() != null && ctx.spec().environment().cuda() != null) {
            cuda = ctx.spec().environment().cuda(); // what the snapshot image was built for, from the same pipeline file
            cudaSource = "environment.cuda";
        }
        if (cuda == null && placement.runsTheSnapshotImage() && image != null && probe instanceof GpuProbe.Found) {
            Optional<String[]> fromImage = cudaOfImage(ctx.engine(), image);
            if (fromImage.isPresent()) {
                cuda = fromImage.get()[0];
                cudaSource = fromImage.get()[1];
            } else {
                events.progress("the CUDA version of " + image + " is unknown (no " + CUDA_ENV + " nor " + CUDA_LABELS.get(0)
                        + ", or the image is not pulled yet): the driver check is skipped; set 'cuda' to check it");
            }
        }
        GpuPreflight.Outcome outcome = GpuPreflight.evaluate(new GpuPreflight.Input(request, probe, spec.gpuMinFreeMemory(),
                spec.gpuAllowShared(), cuda, cudaSource, runtime));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("policy", spec.gpuPolicy().text());
        record.putAll(outcome.facts());
        if (probe instanceof GpuProbe.Found found && found.inventory().count() > 0) {
            compareWithSnapshot(ctx, GpuStack.of(found.inventory(), ctx.spec().environment() == null ? null
                    : ctx.spec().environment().cudnn()), record, events);
        }
        outcome.warnings().forEach(w -> events.warning("GPU preflight: " + w));
        outcome.notes().forEach(n -> events.progress("GPU preflight: " + n));
        if (outcome.ok()) {
            record.put("decision", "gpu");
            List<String> sample = new ArrayList<>();
            outcome.selected().forEach(s -> sample.add(String.valueOf(s.gpu().index())));
            events.progress("GPU preflight: using " + String.join(", ", outcome.selected().stream()
                    .map(s -> s.mig() != null ? "MIG device " + s.mig().uuid() + " of " + s.gpu().label() : s.gpu().label()).toList())
                    + (runtime == null ? "" : " through " + runtime) + "; driver " + outcome.inventory().driverVersion()
                    + ", CUDA " + outcome.inventory().cudaVersion());
            return new Plan(outcome.engineRequest(), placement.cudaVisibleDevices(outcome.cudaVisibleDevices()),
                    sample.stream().distinct().toList(), record, null);
        }
        String why = String.join("; ", outcome.problems()).replace("\r", " ").replace("\n", " ");
        if (spec.gpuPolicy() == GpuPolicy.REQUIRE) {
            throw new PowerAiException.InfrastructureUnavailable(Stage.TRAIN.stepName() + ": 'gpus' is '" + request.text()
                    + "' (gpu_policy 'require') but " + why + "; nothing was run (gpu_policy: prefer trains on the CPU instead)");
        }
        record.put("decision", "cpu");
        record.put("fallback", why);
        events.warning("GPU preflight failed (" + why + "); training on the CPU as gpu_policy is 'prefer'");
        return new Plan(null, placement.cudaVisibleDevices(List.of()), null, record, why);
    }

    /**
     * Records this host's GPU stack and, when the snapshot was taken on a GPU host, warns about what changed since:
     * a model trained on another driver or GPU may not reproduce exactly, but it is no reason to refuse the run.
     */
    public static void compareWithSnapshot(StageContext ctx, GpuStack now, Map<String, Object> record, StageEvents events) {
        record.put("gpuStack", now.toJson());
        GpuStack recorded = ctx.workspace().lastResult(Stage.SNAPSHOT, SnapshotResult.class).map(SnapshotResult::gpuStack)
                .map(GpuStack::fromRecord).orElse(null);
        if (recorded == null) {
            return;
        }
        List<String> changes = now.changesSince(recorded);
        if (changes.isEmpty()) {
            events.progress("GPU stack as recorded with the snapshot (" + now.fingerprint().substring(0, 19) + ")");
        } else {
            record.put("gpuStackChanges", changes);
            events.warning("the GPU stack differs from the one recorded with the snapshot: " + String.join("; ", changes)
                    + " (the run goes on; results may not reproduce exactly)");
        }
    }

    /** What a run's GPU sampler reported, typed as the result keeps it; null for a run that sampled nothing. */
    public static TrainingResult.GpuTelemetry telemetry(Map<String, Object> sampled) {
        return sampled == null ? null : Json.mapper().convertValue(sampled, TrainingResult.GpuTelemetry.class);
    }

    /** The CUDA version {@code image} declares (label first, then nvidia/cuda's CUDA_VERSION) and where it was found. */
    static Optional<String[]> cudaOfImage(ContainerEngine engine, String image) {
        Optional<String> config = engine.imageConfig(image);
        if (config.isEmpty()) {
            return Optional.empty();
        }
        return cudaOfImageConfig(config.get());
    }

    @SuppressWarnings("unchecked")
    static Optional<String[]> cudaOfImageConfig(String configJson) {
        Map<String, Object> config;
        try {
            config = Json.parseObject(configJson);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (config.get("Labels") instanceof Map<?, ?> labels) {
            for (String label : CUDA_LABELS) {
                if (labels.get(label) instanceof String v && CudaCompatibility.CUDA_VERSION.matcher(v.strip()).matches()) {
                    return Optional.of(new String[] {v.strip(), "image label " + label});
                }
            }
        }
        if (config.get("Env") instanceof List<?> env) {
            for (Object item : env) {
                if (item instanceof String e && e.startsWith(CUDA_ENV + "=")) {
                    String v = e.substring(CUDA_ENV.length() + 1).strip();
                    if (CudaCompatibility.CUDA_VERSION.matcher(v).matches()) {
                        return Optional.of(new String[] {v, "image env " + CUDA_ENV});
                    }
                }
            }
        }
        return Optional.empty();
    }
}
