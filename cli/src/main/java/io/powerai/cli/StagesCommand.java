package io.powerai.cli;

import io.powerai.core.json.Json;
import io.powerai.core.spec.StageDescriptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * {@code powerai stages [--json]}: the stage descriptors (names, artifacts, summary, step-only parameters, JVM
 * flags). The shared library's steps read the JSON form when no plugin hands it to them, so that they keep no
 * tables of their own and always agree with the CLI they run.
 */
@Command(name = "stages", mixinStandardHelpOptions = true,
        description = "List the stages: step, command, section, result file, artifacts, summary keys, step-only parameters, "
                + "JVM flags (--json: the form the Jenkins steps read).")
final class StagesCommand implements Callable<Integer> {
    @ParentCommand
    PowerAiCommand top;
    @Option(names = "--json", description = "Print the descriptors as one JSON object (keys sorted).")
    boolean json;

    @Override
    public Integer call() {
        if (json) {
            top.console.line(Json.pretty(StageDescriptor.all()).stripTrailing());
            return 0;
        }
        for (StageDescriptor d : StageDescriptor.values()) {
            top.console.line(d.step() + ": command " + d.command() + ", section " + d.section() + ", result " + d.resultFile());
            top.console.line("  artifacts: " + String.join(", ", d.artifactPatterns()));
            top.console.line("  summary: " + String.join(", ", d.summaryKeys()) + "; step-only: " + String.join(", ", d.stepOnlyParameters())
                    + "; JVM flags: " + String.join(" ", d.jvmFlags()));
        }
        return 0;
    }
}
