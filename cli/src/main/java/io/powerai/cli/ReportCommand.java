package io.powerai.cli;

import io.powerai.core.report.ReportPage;
import io.powerai.core.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code powerai report DIR}: writes {@code report.html} (and {@code report.css}) into the {@code .powerai} folder,
 * so that it is archived with the results and its links to them hold.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write .powerai/report.html: the lineage graph, the metric panels, each stage's result, the audit "
                + "verification and links to the files; one page that reads offline and as an archived Jenkins artifact.")
final class ReportCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "A workspace holding .powerai/, or a .powerai folder itself, e.g. one Jenkins archived (default: .).")
    Path dir = Path.of(".");

    @Override
    public Integer call() {
        PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
        Path folder = dir.resolve(Workspace.DIR_NAME);
        if (!Files.isDirectory(folder)) {
            folder = dir;
        }
        if (!Files.isRegularFile(folder.resolve("audit.jsonl")) && !Files.isDirectory(folder.resolve("train"))
                && Files.notExists(folder.resolve("amlEnvSnapshot.json"))) {
            top.err.println("report: DIR '" + dir + "' holds no powerai results (no .powerai/ folder, no audit.jsonl): "
                    + "name a workspace after a stage ran, or an archived .powerai folder");
            return 2;
        }
        Path page = ReportPage.write(folder.toAbsolutePath().normalize());
        top.console.line("report: " + page);
        return 0;
    }
}
