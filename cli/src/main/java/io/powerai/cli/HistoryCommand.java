package io.powerai.cli;

import io.powerai.core.history.RunHistory;
import io.powerai.core.json.Json;
import io.powerai.core.stage.training.MetricsChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code powerai history DIR...}: several runs side by side, from their (archived) .powerai folders. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Several runs side by side: each run's model, metrics, environment snapshot and image, the environment's "
                + "drift between consecutive runs, and every deployment their audit logs recorded.")
final class HistoryCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;
    @Parameters(arity = "1..*", paramLabel = "DIR",
            description = "A .powerai folder, a workspace holding one, or a folder of them (e.g. a Jenkins job's builds/N/archive).")
    List<Path> dirs;
    @Option(names = "--json", description = "Print the history as JSON.")
    boolean json;
    @Option(names = "--svg", paramLabel = "FILE", description = "Also write each metric's trend over the runs as an SVG to FILE.")
    Path svg;

    @Override
    public Integer call() {
        PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                top.err.println("history: DIR '" + dir + "' is not a folder: name .powerai folders, workspaces, or folders of them");
                return 2;
            }
        }
        RunHistory history = RunHistory.read(dirs.stream().map(d -> d.toAbsolutePath().normalize()).toList());
        if (history.runs().isEmpty()) {
            top.err.println("history: no runs under " + dirs + " (no .powerai folder with an audit.jsonl or gpuTrain.json)");
            return 2;
        }
        if (svg != null) {
            String chart = MetricsChart.render(history.trend(), "metrics over runs", "run");
            if (chart != null) {
                Json.writeAtomically(svg, chart);
            }
        }
        if (json) {
            top.console.line(history.toJson());
        } else {
            history.lines().forEach(top.console::line);
        }
        return 0;
    }
}
