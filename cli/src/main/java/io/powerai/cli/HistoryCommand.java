package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.history.RunHistory;
import io.powerai.core.json.Json;
import io.powerai.core.stage.training.MetricsChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code powerai history DIR...}: several runs side by side, from their (archived) .powerai folders. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Several runs side by side: each run's model, metrics, environment snapshot and image, the environment's "
                + "drift between consecutive runs, every deployment their audit logs recorded, and the record each local "
                + "deployment's container carries of what it serves and served. --at TIME answers what served then.")
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
    @Option(names = "--at", paramLabel = "TIME", description = "An instant, e.g. 2026-12-07T02:00:00Z: what served then, where.")
    String at;
    @Option(names = "--engine", paramLabel = "ENGINE", description = "docker, podman or a path to either, whose containers' own "
            + "records of the local deployments are read (default: POWERAI_ENGINE, else the first on PATH).")
    String engine;

    @Override
    public Integer call() {
        PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                top.err.println("history: DIR '" + dir + "' is not a folder: name .powerai folders, workspaces, or folders of them");
                return 2;
            }
        }
        Instant instant = null;
        if (at != null) {
            try {
                instant = Instant.parse(at);
            } catch (DateTimeParseException e) {
                top.err.println("history: '--at' must be an ISO-8601 instant such as 2026-12-07T02:00:00Z; got '" + at + "'");
                return 2;
            }
        }
        RunHistory history = RunHistory.read(dirs.stream().map(d -> d.toAbsolutePath().normalize()).toList());
        if (history.runs().isEmpty()) {
            top.err.println("history: no runs under " + dirs + " (no .powerai folder with an audit.jsonl or gpuTrain.json)");
            return 2;
        }
        String notRead = null;
        if (!history.localContainers().isEmpty()) {
            // What a local deployment serves and served is recorded on its container: read it where the engine runs here.
            try {
                ContainerEngine containers = ContainerEngine.detect(engine != null ? engine : top.environment.get("POWERAI_ENGINE"),
                        top.environment.get("PATH"), new ProcessRunner(PowerAiCommand.engineEnvironment(top.environment), top.cancellation));
                containers.ensureAvailable();
                history = history.withOwnRecords(containers);
            } catch (PowerAiException e) {
                notRead = "the local deployments' own records were not read: " + e.getMessage();
            }
        }
        if (svg != null) {
            String chart = MetricsChart.render(history.trend(), "metrics over runs", "run");
            if (chart != null) {
                Json.writeAtomically(svg, chart);
            }
        }
        if (json) {
            Map<String, Object> answer = history.toMap();
            if (instant != null) {
                answer.put("at", instant.toString());
                answer.put("servedAt", history.servedAt(instant));
            }
            if (notRead != null) {
                answer.put("ownRecordsNotRead", notRead);
            }
            top.console.line(Json.pretty(answer));
        } else if (instant != null) {
            history.servedAtLines(instant).forEach(top.console::line);
        } else {
            history.lines().forEach(top.console::line);
        }
        if (notRead != null && !json) {
            top.console.line(notRead);
        }
        return 0;
    }
}
