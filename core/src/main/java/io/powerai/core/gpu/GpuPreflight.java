package io.powerai.core.gpu;

import io.powerai.core.gpurequest.CudaCompatibility;
import io.powerai.core.gpurequest.GpuRequest;

import io.powerai.core.gpurequest.FreeMemoryRule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks made before a GPU training starts, as a pure function of what was found: do the requested GPUs
 * exist, are they free enough, does the driver run the image's CUDA, can the container engine hand GPUs over.
 * It decides nothing about policy: the caller stops, falls back to the CPU, or goes on.
 */
public final class GpuPreflight {

    /**
     * @param cuda the CUDA version the training expects ("12.4"), or null when unknown
     * @param cudaSource where {@code cuda} came from ("train.cuda", "image label io.powerai.cuda", ...)
     * @param runtime the container engine's GPU support, or null when no container is used (native mode)
     */
    public record Input(GpuRequest request, GpuProbe probe, FreeMemoryRule freeMemory, boolean allowShared,
                        String cuda, String cudaSource, ContainerGpuRuntime.Check runtime) {
    }

    /** One GPU (or one MIG device of it) the run gets. */
    public record Selected(Gpu gpu, MigDevice mig) {
        /** How docker (--gpus device=) and CDI name it: the index, or the MIG device's UUID. */
        public String engineId() {
            return mig != null ? mig.uuid() : String.valueOf(gpu.index());
        }

        /** How CUDA_VISIBLE_DEVICES names it: by UUID, which no CUDA device ordering can change. */
        public String cudaId() {
            return mig != null ? mig.uuid() : gpu.uuid() != null ? gpu.uuid() : String.valueOf(gpu.index());
        }
    }

    public record Outcome(GpuRequest request, GpuInventory inventory, List<Selected> selected, CudaCompatibility.Verdict cuda,
                          String cudaExpected, String cudaSource, String runtime,
                          List<String> problems, List<String> warnings, List<String> notes) {
        public Outcome {
            selected = List.copyOf(selected);
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
            notes = List.copyOf(notes);
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        /** The engine's GPU request: {@code all} stays all, anything else becomes the chosen devices. */
        public String engineRequest() {
            if (request instanceof GpuRequest.All) {
                return "all";
            }
            return GpuRequest.DEVICES_PREFIX + String.join(",", selected.stream().map(Selected::engineId).toList());
        }

        public List<String> cudaVisibleDevices() {
            return selected.stream().map(Selected::cudaId).toList();
        }

        /** What the result file and the audit record keep of the preflight. */
        public Map<String, Object> facts() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("requested", request.text());
            if (inventory != null) {
                out.put("driverVersion", inventory.driverVersion());
                out.put("driverCudaVersion", inventory.cudaVersion());
                out.put("hostGpus", inventory.count());
            }
            List<Map<String, Object>> gpus = new ArrayList<>();
            for (Selected s : selected) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("index", s.gpu().index());
                putIfSet(g, "uuid", s.gpu().uuid());
                putIfSet(g, "name", s.gpu().name());
                putIfSet(g, "memoryTotalMiB", s.mig() != null ? s.mig().memoryTotalMiB() : s.gpu().memoryTotalMiB());
                putIfSet(g, "memoryFreeMiB", s.mig() != null ? s.mig().memoryFreeMiB() : s.gpu().memoryFreeMiB());
                if (s.mig() != null) {
                    putIfSet(g, "migUuid", s.mig().uuid());
                    putIfSet(g, "migProfile", s.mig().profile());
                }
                gpus.add(g);
            }
            out.put("gpus", gpus);
            if (cudaExpected != null) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("expected", cudaExpected);
                c.put("source", cudaSource);
                if (cuda != null) {
                    c.put("status", cuda.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                    putIfSet(c, "requiredDriver", cuda.requiredDriver());
                }
                out.put("cuda", c);
            }
            putIfSet(out, "runtime", runtime);
            out.put("problems", problems);
            out.put("warnings", warnings);
            return out;
        }

        private static void putIfSet(Map<String, Object> map, String key, Object value) {
            if (value != null) {
                map.put(key, value);
            }
        }
    }

    private GpuPreflight() {
    }

    public static Outcome evaluate(Input in) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = new ArrayList<>();
        String runtime = null;
        if (in.runtime() != null) {
            if (in.runtime().available()) {
                runtime = in.runtime().how();
            } else {
                problems.add(in.runtime().problem());
            }
        }
        if (!(in.probe() instanceof GpuProbe.Found found)) {
            problems.add(0, in.probe().describe());
            return new Outcome(in.request(), null, selected, null, in.cuda(), in.cudaSource(), runtime, problems, warnings, notes);
        }
        GpuInventory inventory = found.inventory();
        GpuRequest request = in.request();
        if (request instanceof GpuRequest.Count count) {
            selectCount(count.count(), inventory, in, selected, problems, notes);
        } else if (request instanceof GpuRequest.All) {
            for (Gpu gpu : inventory.gpus()) {
                List<String> why = unusable(gpu, in);
                if (why.isEmpty()) {
                    selected.add(new Selected(gpu, null));
                }
                problems.addAll(why);
            }
        } else if (request instanceof GpuRequest.Devices devices) {
            for (String id : devices.ids()) {
                selectDevice(id, inventory, in, selected, problems);
            }
        }
        if (in.runtime() != null && in.runtime().available() && !in.runtime().cdiDevices().isEmpty() && problems.isEmpty()) {
            List<String> names = in.request() instanceof GpuRequest.All ? List.of("all") : selected.stream().map(Selected::engineId).toList();
            for (String name : names) {
                if (!in.runtime().cdiDevices().contains(name)) {
                    problems.add("the CDI specs define no device " + ContainerGpuRuntime.CDI_KIND + "=" + name + " (they define "
                            + String.join(", ", in.runtime().cdiDevices()) + "); regenerate them with 'sudo nvidia-ctk cdi generate "
                            + "--device-name-strategy=index --device-name-strategy=uuid --output=/etc/cdi/nvidia.yaml'");
                }
            }
        }
        CudaCompatibility.Verdict verdict = null;
        if (in.cuda() != null) {
            verdict = CudaCompatibility.check(in.cuda(), inventory.driverVersion(), inventory.cudaVersion());
            switch (verdict.status()) {
                case OK -> notes.add(verdict.message());
                case MINOR_VERSION_COMPATIBILITY, UNKNOWN -> warnings.add(verdict.message());
                case DRIVER_TOO_OLD -> problems.add(verdict.message() + " (CUDA " + in.cuda() + " from " + in.cudaSource() + ")");
            }
        }
        return new Outcome(in.request(), inventory, problems.isEmpty() ? selected : List.of(), verdict, in.cuda(), in.cudaSource(),
                runtime, problems, warnings, notes);
    }

    private static void selectCount(int count, GpuInventory inventory, Input in, List<Selected> selected, List<String> problems,
                                    List<String> notes) {
        if (count > inventory.count()) {
            problems.add("it asks for " + count + " GPU(s) and the host has " + inventory.count() + ": " + inventory.summary());
            return;
        }
        List<String> unusable = new ArrayList<>();
        for (Gpu gpu : inventory.gpus()) {
            List<String> why = unusable(gpu, in);
            if (!why.isEmpty()) {
                unusable.addAll(why);
            } else if (selected.size() < count) {
                selected.add(new Selected(gpu, null));
            }
        }
        if (selected.size() < count) {
            problems.add("only " + selected.size() + " of the host's " + inventory.count() + " GPU(s) can be used: "
                    + String.join("; ", unusable));
            selected.clear();
        } else if (!unusable.isEmpty()) {
            notes.add("passed over: " + String.join("; ", unusable));
        }
    }

    private static void selectDevice(String id, GpuInventory inventory, Input in, List<Selected> selected, List<String> problems) {
        Optional<Gpu> gpu = inventory.find(id);
        if (gpu.isEmpty()) {
            problems.add("it names GPU '" + id + "', which the host does not have (it has " + inventory.summary()
                    + (id.startsWith("MIG-") ? "; 'nvidia-smi -L' lists MIG device UUIDs" : "") + ")");
            return;
        }
        Optional<MigDevice> mig = inventory.findMig(id);
        if (mig.isPresent()) {
            MigDevice m = mig.get();
            if (in.freeMemory().allows(m.memoryFreeMiB(), m.memoryTotalMiB())) {
                selected.add(new Selected(gpu.get(), m));
            } else {
                problems.add("MIG device " + id + " has " + m.memoryFreeMiB() + " MiB of " + m.memoryTotalMiB()
                        + " MiB free; gpu_min_free_memory asks for " + in.freeMemory().text());
            }
            return;
        }
        List<String> why = unusable(gpu.get(), in);
        if (why.isEmpty()) {
            selected.add(new Selected(gpu.get(), null));
        }
        problems.addAll(why);
    }

    /** Why a whole GPU cannot be given to the run; empty when it can. */
    private static List<String> unusable(Gpu gpu, Input in) {
        List<String> why = new ArrayList<>();
        if (gpu.migEnabled()) {
            why.add(gpu.label() + " is in MIG mode and runs CUDA only in its MIG devices: name them by UUID in 'gpus' ('nvidia-smi -L' lists them)");
            return why;
        }
        if (!in.freeMemory().allows(gpu.memoryFreeMiB(), gpu.memoryTotalMiB())) {
            long percent = gpu.memoryTotalMiB() == null || gpu.memoryTotalMiB() == 0 ? 0 : Math.round(gpu.memoryFreeMiB() * 100.0 / gpu.memoryTotalMiB());
            why.add(gpu.label() + " has " + gpu.memoryFreeMiB() + " MiB of " + gpu.memoryTotalMiB() + " MiB free (" + percent
                    + "%); gpu_min_free_memory asks for " + in.freeMemory().text());
        }
        List<GpuProcess> busy = gpu.computeProcesses();
        if (!busy.isEmpty() && !in.allowShared()) {
            why.add(gpu.label() + " is in use by " + String.join(", ", busy.stream().map(GpuProcess::label).toList())
                    + "; set gpu_allow_shared: true to share it");
        }
        return why;
    }
}
