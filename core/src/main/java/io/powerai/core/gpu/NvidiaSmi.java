package io.powerai.core.gpu;

import io.powerai.core.process.ProcessRunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code nvidia-smi} command. Every call goes through the core's {@link ProcessRunner}, so tests point
 * {@link #ENVIRONMENT_VARIABLE} at a script that prints recorded output.
 */
public final class NvidiaSmi {
    public static final String DEFAULT_BINARY = "nvidia-smi";
    /** Names another nvidia-smi (a path), for hosts where it is not on the PATH and for tests. */
    public static final String ENVIRONMENT_VARIABLE = "POWERAI_NVIDIA_SMI";
    /** The fields sampled during a run, in this order (the CSV header of gpu-samples.csv names them). */
    public static final List<String> SAMPLE_FIELDS = List.of("timestamp", "index", "utilization.gpu", "memory.used", "power.draw");
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);

    private final String binary;
    private final ProcessRunner runner;

    public NvidiaSmi(String binary, ProcessRunner runner) {
        this.binary = binary == null || binary.isBlank() ? DEFAULT_BINARY : binary;
        this.runner = runner;
    }

    /** nvidia-smi as {@code environment} names it ({@value #ENVIRONMENT_VARIABLE}), else the one on the PATH. */
    public static NvidiaSmi fromEnvironment(Map<String, String> environment, ProcessRunner runner) {
        return new NvidiaSmi(environment.get(ENVIRONMENT_VARIABLE), runner);
    }

    public String binary() {
        return binary;
    }

    /**
     * The host's GPUs from {@code nvidia-smi -q -x}; where GPUs are in MIG mode, {@code nvidia-smi -L} is asked
     * for the MIG devices' UUIDs too (only then: it is one more process start).
     */
    public GpuProbe probe() {
        GpuProbe probe = interpret(call(List.of(binary, "-q", "-x")), NvidiaSmi::parseXml);
        if (probe instanceof GpuProbe.Found found && needsListing(found.inventory())) {
            ProcessRunner.Result listing = call(List.of(binary, "-L"));
            if (listing != null && listing.exitCode() == 0 && !listing.timedOut()) {
                try {
                    return new GpuProbe.Found(NvidiaSmiList.withMigIdentities(found.inventory(), NvidiaSmiList.parse(listing.output())));
                } catch (NvidiaSmiFormatException e) {
                    // MIG UUIDs matter only to a run that names MIG devices; the preflight says so then.
                }
            }
        }
        return probe;
    }

    private static boolean needsListing(GpuInventory inventory) {
        return inventory.gpus().stream().anyMatch(g -> g.migDevices().stream().anyMatch(m -> m.uuid() == null));
    }

    /**
     * Starts sampling {@link #SAMPLE_FIELDS} of the GPUs {@code ids} (all where empty) every {@code interval},
     * in nvidia-smi's own loop ({@code -lms}): one process for the whole run, not one per sample.
     */
    public ProcessRunner.Background startSampling(List<String> ids, Duration interval, Consumer<String> onLine) throws ProcessRunner.NotStarted {
        List<String> command = new ArrayList<>(List.of(binary, "--query-gpu=" + String.join(",", SAMPLE_FIELDS),
                "--format=csv,noheader,nounits", "-lms", String.valueOf(Math.max(100, interval.toMillis()))));
        if (!ids.isEmpty()) {
            command.add("--id=" + String.join(",", ids));
        }
        return runner.start(command, onLine);
    }

    private ProcessRunner.Result call(List<String> command) {
        try {
            return runner.run(command, null, QUERY_TIMEOUT, line -> { });
        } catch (ProcessRunner.NotStarted e) {
            return null;
        }
    }

    interface Parser {
        GpuInventory parse(String output) throws NvidiaSmiFormatException;
    }

    static GpuInventory parseXml(String output) throws NvidiaSmiFormatException {
        // Warnings that nvidia-smi writes to stderr arrive merged with the document; only the document is read.
        int start = output.indexOf("<?xml");
        int end = output.lastIndexOf("</nvidia_smi_log>");
        if (start < 0 || end < start) {
            throw new NvidiaSmiFormatException("no nvidia_smi_log document in the output");
        }
        return NvidiaSmiXml.parse(output.substring(start, end + "</nvidia_smi_log>".length()));
    }

    /** What a finished nvidia-smi call means (null: it could not be started). Pure, for tests. */
    static GpuProbe interpret(ProcessRunner.Result result, Parser parser) {
        if (result == null) {
            return new GpuProbe.Unavailable(GpuProbe.Reason.NOT_INSTALLED, "cannot start it; install the NVIDIA driver, or name it with "
                    + ENVIRONMENT_VARIABLE);
        }
        String output = result.output();
        if (result.timedOut()) {
            return new GpuProbe.Unavailable(GpuProbe.Reason.FAILED, "no answer within " + QUERY_TIMEOUT.toSeconds() + " s");
        }
        if (output.contains("No devices were found")) {
            return new GpuProbe.Unavailable(GpuProbe.Reason.NO_DEVICES, "exit code " + result.exitCode());
        }
        if (output.contains("couldn't communicate with the NVIDIA driver") || output.contains("Driver/library version mismatch")
                || result.exitCode() == 9) {
            return new GpuProbe.Unavailable(GpuProbe.Reason.DRIVER_NOT_LOADED, "exit code " + result.exitCode() + ": " + firstLine(output));
        }
        if (result.exitCode() != 0) {
            return new GpuProbe.Unavailable(GpuProbe.Reason.FAILED, "exit code " + result.exitCode()
                    + (output.isBlank() ? "" : ": " + firstLine(output)));
        }
        try {
            GpuInventory inventory = parser.parse(output);
            if (inventory.count() == 0) {
                return new GpuProbe.Unavailable(GpuProbe.Reason.NO_DEVICES, "its report lists no GPU");
            }
            return new GpuProbe.Found(inventory);
        } catch (NvidiaSmiFormatException e) {
            return new GpuProbe.Unavailable(GpuProbe.Reason.UNPARSEABLE, e.getMessage()
                    + (output.isBlank() ? "; the output was empty" : "; it began with '" + abbreviate(firstLine(output)) + "'"));
        }
    }

    private static String firstLine(String output) {
        return output.strip().lines().findFirst().orElse("").strip();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
