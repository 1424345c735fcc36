package io.powerai.cli;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/** {@code powerai audit verify}: walks the hash chain of the workspace's audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit log.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec self;

    @Override
    public void run() {
        // the handler lists the subcommands of the command it is given
        throw new picocli.CommandLine.ParameterException(self.commandLine(), "a subcommand is required");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Report OK, or the first record of .powerai/audit.jsonl that was changed, removed or reordered, or that"
                    + " a stage result's audit record (seq, hash) contradicts (exit 1).")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        AuditCommand audit;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;
        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Workspace holding .powerai/ (default: .).")
        Path dir = Path.of(".");

        @Override
        public Integer call() {
            PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
            Workspace workspace = new Workspace(dir, Clock.systemUTC());
            AuditLog log = workspace.audit();
            if (!Files.exists(log.file())) {
                top.err.println("audit: no audit log at " + log.file());
                return 2;
            }
            AuditLog.Verification result = workspace.verifyAudit();
            if (result.ok()) {
                top.console.line("audit: OK, " + result.records() + " record(s), chain intact (" + log.file() + ")");
                return 0;
            }
            top.err.println("audit: FAILED at " + result.problem() + " (" + log.file() + ")");
            return 1;
        }
    }
}
