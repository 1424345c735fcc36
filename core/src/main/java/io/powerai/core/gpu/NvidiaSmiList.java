package io.powerai.core.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code nvidia-smi -L}: one line per GPU, one indented line per MIG device. It is where MIG device UUIDs
 * are found (the XML of most drivers leaves them out), and what {@link #withMigIdentities} adds to an inventory.
 */
public final class NvidiaSmiList {
    /** One line of the listing. {@code migIndex} is null for a whole GPU. */
    public record Entry(int gpuIndex, Integer migIndex, String name, String uuid) {
    }

    private static final Pattern GPU = Pattern.compile("GPU (\\d+): (.*?) \\(UUID: ([^)]+)\\)");
    private static final Pattern MIG = Pattern.compile("MIG (\\S+)\\s+Device\\s+(\\d+): \\(UUID: ([^)]+)\\)");

    private NvidiaSmiList() {
    }

    public static List<Entry> parse(String text) throws NvidiaSmiFormatException {
        List<Entry> entries = new ArrayList<>();
        Integer gpu = null;
        for (String raw : text.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher g = GPU.matcher(line);
            Matcher m = MIG.matcher(line);
            if (g.matches()) {
                gpu = Integer.valueOf(g.group(1));
                entries.add(new Entry(gpu, null, g.group(2), g.group(3)));
            } else if (m.matches() && gpu != null) {
                entries.add(new Entry(gpu, Integer.valueOf(m.group(2)), m.group(1), m.group(3)));
            } else {
                throw new NvidiaSmiFormatException("not an nvidia-smi -L line: '" + line + "'");
            }
        }
        return entries;
    }

    /** {@code inventory} with the MIG devices' UUIDs and profiles ("1g.10gb") from the listing. */
    public static GpuInventory withMigIdentities(GpuInventory inventory, List<Entry> listing) {
        List<Gpu> gpus = new ArrayList<>();
        for (Gpu gpu : inventory.gpus()) {
            List<MigDevice> migs = new ArrayList<>();
            for (MigDevice mig : gpu.migDevices()) {
                MigDevice named = mig;
                for (Entry e : listing) {
                    if (e.gpuIndex() == gpu.index() && e.migIndex() != null && e.migIndex() == mig.index()) {
                        named = mig.withIdentity(mig.uuid() != null ? mig.uuid() : e.uuid(), e.name());
                    }
                }
                migs.add(named);
            }
            gpus.add(new Gpu(gpu.index(), gpu.uuid(), gpu.name(), gpu.pciBusId(), gpu.memoryTotalMiB(), gpu.memoryUsedMiB(),
                    gpu.memoryFreeMiB(), gpu.utilizationPercent(), gpu.powerDrawWatts(), gpu.powerLimitWatts(), gpu.migMode(),
                    migs, gpu.processes()));
        }
        return new GpuInventory(inventory.driverVersion(), inventory.cudaVersion(), gpus);
    }
}
