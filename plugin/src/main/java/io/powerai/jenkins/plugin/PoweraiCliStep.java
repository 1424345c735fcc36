package io.powerai.jenkins.plugin;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.Node;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import hudson.slaves.WorkspaceList;
import io.powerai.jenkins.plugin.cli.BundledCli;
import io.powerai.jenkins.plugin.cli.CliCache;
import io.powerai.jenkins.plugin.cli.CliCommand;
import io.powerai.jenkins.plugin.cli.CliStepResult;
import java.io.File;
import java.util.Map;
import java.util.Set;
import jenkins.MasterToSlaveFileCallable;
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
            Node node = context.get(Node.class);

            BundledCli cli = BundledCli.load();
            FilePath agentRoot = node == null ? null : node.getRootPath();
            FilePath dir = cacheRoot(agentRoot, agentRoot == null ? WorkspaceList.tempDir(workspace) : null).child(cli.relativeDir());
            CliCache.Outcome outcome = CliCache.ensure(new AgentCliCache(dir), cli.sha256(), cli.content());
            String jar = dir.child(CliCache.JAR_NAME).getRemote();
            // The Java that runs the agent itself, asked on the agent: an agent started from an absolute java path
            // has neither JAVA_HOME nor java on its PATH, and the agent's JVM is as recent as Jenkins requires (17+).
            String javaHome = workspace.act(new AgentJavaHome());
            CliCommand command = CliCommand.of(javaHome, jar, launcher.isUnix() ? CliCommand.Shell.POSIX : CliCommand.Shell.WINDOWS);
            if (listener != null) {
                listener.getLogger().println("[" + FUNCTION_NAME + "] " + CliStepResult.logLine(cli, outcome, jar));
            }
            return CliStepResult.toMap(command, cli, outcome, PoweraiGlobalConfiguration.get().toDefaults());
        }

    }

    /**
     * The agent's tools folder (shared by all jobs on it); the workspace's @tmp folder where the agent has no root
     * folder; neither (WorkspaceList.tempDir returns null for a workspace at the top of a file system): a message.
     */
    static FilePath cacheRoot(FilePath agentRoot, FilePath workspaceTemp) throws AbortException {
        if (agentRoot != null) {
            return agentRoot.child("tools");
        }
        if (workspaceTemp == null) {
            throw new AbortException(FUNCTION_NAME + ": nowhere to keep the CLI on this agent: it has no root folder and the "
                    + "workspace no temporary folder beside it (a workspace at the top of a file system); give the agent a "
                    + "root folder (Remote root directory) or the job another workspace");
        }
        return workspaceTemp;
    }

    /** The java.home of the JVM it runs in: run on the agent, the agent's own Java. */
    static final class AgentJavaHome extends MasterToSlaveFileCallable<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String invoke(File ignored, VirtualChannel channel) {
            return System.getProperty("java.home");
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
            return Set.of(FilePath.class, Launcher.class, TaskListener.class, Node.class);
        }
    }
}
