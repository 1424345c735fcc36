package io.powerai.jenkins.plugin;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.Node;
import hudson.model.TaskListener;
import hudson.slaves.WorkspaceList;
import io.powerai.jenkins.plugin.cli.BundledCli;
import io.powerai.jenkins.plugin.cli.CliCache;
import io.powerai.jenkins.plugin.cli.CliCommand;
import io.powerai.jenkins.plugin.cli.CliStepResult;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * {@code def cli = poweraiCli()}: puts the CLI bundled in this plugin on the current agent (verified by SHA-256,
 * cached per version under the agent's {@code tools/powerai/}) and returns how to call it with the agent's own
 * Java, with the administrator's defaults. The shared-library steps run it under {@code sh}. Glue only: the
 * decisions are in {@link CliCache}, {@link CliCommand} and {@link CliStepResult}.
 */
public class PoweraiCliStep extends Step {
    public static final String FUNCTION_NAME = "poweraiCli";

    @DataBoundConstructor
    public PoweraiCliStep() {
        // no parameters: the version is the plugin's, the defaults are the global configuration's
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        Execution(StepContext context) {
            super(context);
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            StepContext context = getContext();
            FilePath workspace = context.get(FilePath.class);
            Launcher launcher = context.get(Launcher.class);
            if (workspace == null || launcher == null) {
                throw new AbortException(FUNCTION_NAME + ": needs an agent and a workspace: call it inside node { } "
                        + "(or a stage with an agent)");
            }
            TaskListener listener = context.get(TaskListener.class);
            EnvVars environment = context.get(EnvVars.class);
            Node node = context.get(Node.class);

            BundledCli cli = BundledCli.load();
            FilePath dir = cacheRoot(node, workspace).child(cli.relativeDir());
            CliCache.Outcome outcome = CliCache.ensure(new AgentCliCache(dir), cli.sha256(), cli.content());
            String jar = dir.child(CliCache.JAR_NAME).getRemote();
            String javaHome = environment == null ? null : environment.get("JAVA_HOME");
            CliCommand command = CliCommand.of(javaHome, jar, launcher.isUnix() ? CliCommand.Shell.POSIX : CliCommand.Shell.WINDOWS);
            if (listener != null) {
                listener.getLogger().println("[" + FUNCTION_NAME + "] " + CliStepResult.logLine(cli, outcome, jar));
            }
            return CliStepResult.toMap(command, cli, outcome, PoweraiGlobalConfiguration.get().toDefaults());
        }

        /** The agent's tools folder (shared by all jobs on it); the workspace's @tmp folder where there is none. */
        private static FilePath cacheRoot(Node node, FilePath workspace) {
            FilePath root = node == null ? null : node.getRootPath();
            return root != null ? root.child("tools") : WorkspaceList.tempDir(workspace);
        }
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION_NAME;
        }

        @Override
        public String getDisplayName() {
            return "Put the powerai CLI on this agent";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Launcher.class, TaskListener.class, EnvVars.class, Node.class);
        }
    }
}
