package io.powerai.core.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;

/** The {@code train} section: which script runs in the snapshot image, on what, with which resources. */
public record TrainSpec(
        String script,
        List<String> args,
        Path data,
        String gpus,
        String network,
        Duration timeout,
        SortedMap<String, String> env) {

    public static final Set<String> KEYS = Set.of("script", "args", "data", "gpus", "network", "timeout", "env");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);
    private static final Pattern GPUS = Pattern.compile("all|[0-9]{1,3}");

    public TrainSpec {
        args = List.copyOf(args);
    }

    /** Whether the run asks for GPUs at all; only then do GPU flags reach the engine. */
    public boolean wantsGpus() {
        return gpus != null && !gpus.equals("0");
    }

    static TrainSpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        Path script = s.pathInside("script", true, projectDir, false);
        String gpus = "0";
        Object rawGpus = s.raw("gpus");
        if (rawGpus != null) {
            gpus = String.valueOf(rawGpus);
            if (!(rawGpus instanceof Integer || rawGpus instanceof String) || !GPUS.matcher(gpus).matches()) {
                s.problem("gpus", rawGpus, "must be a count of GPUs (0 for none) or 'all'");
                gpus = "0";
            }
        }
        String network = "none";
        if (s.has("network")) {
            network = s.matching("network", false, Pattern.compile("none|host"),
                    "must be 'none' (no network during training, the reproducible default) or 'host'");
        }
        return new TrainSpec(
                script == null ? null : projectDir.relativize(script).toString().replace('\\', '/'),
                s.stringList("args"),
                s.pathInside("data", false, projectDir, true),
                gpus,
                network,
                s.duration("timeout", DEFAULT_TIMEOUT),
                s.environment("env"));
    }
}
