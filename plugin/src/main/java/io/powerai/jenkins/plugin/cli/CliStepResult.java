package io.powerai.jenkins.plugin.cli;

import io.powerai.core.spec.StageDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code poweraiCli} returns to the pipeline: how to call the CLI, which one it is, the defaults, and the stage
 * descriptors (core's, as {@code powerai stages --json} prints them), so that the steps keep no tables of their own.
 */
public final class CliStepResult {
    private CliStepResult() {
    }

    public static Map<String, Object> toMap(CliCommand command, BundledCli cli, CliCache.Outcome outcome, CliDefaults defaults) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("command", command.render());
        map.put("java", command.java());
        map.put("jar", command.jar());
        map.put("version", cli.version());
        map.put("sha256", cli.sha256());
        map.put("cache", outcome.name().toLowerCase(java.util.Locale.ROOT));
        map.put("defaults", defaults.toMap());
        map.put("descriptors", StageDescriptor.all());
        return map;
    }

    /** The line the step prints to the build log. */
    public static String logLine(BundledCli cli, CliCache.Outcome outcome, String jar) {
        String what = switch (outcome) {
            case REUSED -> "reusing the cached";
            case INSTALLED -> "installed the";
            case REPLACED -> "replaced a cached copy that did not match the";
        };
        return what + " CLI " + cli.version() + " (sha256 " + cli.sha256() + ") at " + jar;
    }
}
