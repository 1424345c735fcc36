package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.Node;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.powerai.jenkins.plugin.lineage.LineageFiles;
import java.util.List;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.junit.jupiter.api.Test;

/** The steps' glue, as far as it runs without Jenkins: names, context, and the errors before any agent is touched. */
class StepsTest {
    /** The shared library's steps: a var of the same name would silently shadow a plugin step. */
    private static final List<String> LIBRARY_STEPS = List.of("amlEnvSnapshot", "gpuTrain", "scoringImage", "aksDeploy");

    @Test
    void functionNames_havePoweraiPrefixAndNeverShadowALibraryStep() {
        String cli = new PoweraiCliStep.DescriptorImpl().getFunctionName();
        String lineage = new PoweraiRecordLineageStep.DescriptorImpl().getFunctionName();

        assertThat(cli).isEqualTo("poweraiCli");
        assertThat(lineage).isEqualTo("poweraiRecordLineage");
        assertThat(List.of(cli, lineage)).allMatch(name -> name.startsWith("powerai")).doesNotContainAnyElementsOf(LIBRARY_STEPS);
    }

    @Test
    void requiredContext_isAnAgentWithItsWorkspace_andNotItsEnvironment() {
        // The CLI's Java is the agent JVM's own java.home, asked on the agent, never JAVA_HOME of the environment.
        assertThat(Set.<Class<?>>copyOf(new PoweraiCliStep.DescriptorImpl().getRequiredContext()))
                .containsExactlyInAnyOrder(FilePath.class, Launcher.class, TaskListener.class, Node.class);
        assertThat(Set.<Class<?>>copyOf(new PoweraiRecordLineageStep.DescriptorImpl().getRequiredContext()))
                .containsExactlyInAnyOrder(FilePath.class, Run.class, TaskListener.class);
    }

    @Test
    void agentJavaHome_isTheJavaHomeOfTheJvmItRunsIn_whateverTheEnvironmentSays(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        PoweraiCliStep.AgentJavaHome probe = new PoweraiCliStep.AgentJavaHome();

        String javaHome = probe.invoke(dir.toFile(), null);

        assertThat(javaHome).isEqualTo(System.getProperty("java.home"));
        assertThat(java.nio.file.Path.of(io.powerai.jenkins.plugin.cli.CliCommand.javaExecutable(javaHome,
                io.powerai.jenkins.plugin.cli.CliCommand.Shell.POSIX))).isExecutable();
        assertThat(probe).isInstanceOf(java.io.Serializable.class); // it travels to the agent
    }

    @Test
    void cacheRoot_withNeitherAnAgentRootNorAWorkspaceTempFolder_endsWithAMessage() {
        assertThatThrownBy(() -> PoweraiCliStep.cacheRoot(null, null)).isExactlyInstanceOf(AbortException.class)
                .hasMessageStartingWith("poweraiCli: nowhere to keep the CLI on this agent: it has no root folder and the workspace no "
                        + "temporary folder beside it");
    }

    @Test
    void poweraiCli_start_bindsTheExecutionToTheContext() {
        FakeStepContext context = new FakeStepContext();

        StepExecution execution = new PoweraiCliStep().start(context);

        assertThat(execution).isInstanceOf(PoweraiCliStep.Execution.class);
        assertThat(execution.getContext()).isSameAs(context);
    }

    @Test
    void poweraiCli_outsideNode_endsWithAMessageNotAStackTrace() {
        PoweraiCliStep.Execution execution = (PoweraiCliStep.Execution) new PoweraiCliStep().start(new FakeStepContext());

        assertThatThrownBy(execution::run).isExactlyInstanceOf(AbortException.class)
                .hasMessage("poweraiCli: needs an agent and a workspace: call it inside node { } (or a stage with an agent)");
    }

    @Test
    void poweraiRecordLineage_auditLogDefaultsAndIsTrimmed() {
        PoweraiRecordLineageStep step = new PoweraiRecordLineageStep();
        assertThat(step.getAuditLog()).isEqualTo(LineageFiles.DEFAULT_AUDIT_LOG);
        step.setAuditLog("  models/a/.powerai/audit.jsonl ");
        assertThat(step.getAuditLog()).isEqualTo("models/a/.powerai/audit.jsonl");
        step.setAuditLog("");
        assertThat(step.getAuditLog()).isEqualTo(LineageFiles.DEFAULT_AUDIT_LOG);
    }

    @Test
    void poweraiRecordLineage_pathOutsideTheWorkspace_endsWithTheRule() {
        PoweraiRecordLineageStep step = new PoweraiRecordLineageStep();
        step.setAuditLog("../../secrets/audit.jsonl");
        PoweraiRecordLineageStep.Execution execution = (PoweraiRecordLineageStep.Execution) step.start(new FakeStepContext());

        assertThatThrownBy(execution::run).isExactlyInstanceOf(AbortException.class)
                .hasMessageStartingWith("poweraiRecordLineage: 'auditLog' must be a file path relative to the workspace");
    }

    @Test
    void poweraiRecordLineage_outsideNode_endsWithAMessage() {
        PoweraiRecordLineageStep.Execution execution =
                (PoweraiRecordLineageStep.Execution) new PoweraiRecordLineageStep().start(new FakeStepContext());

        assertThatThrownBy(execution::run).isExactlyInstanceOf(AbortException.class)
                .hasMessage("poweraiRecordLineage: needs a workspace: call it inside node { } (or a stage with an agent)");
    }

    @Test
    void mlLineageAction_isTheBuildPageMlLineage() {
        MlLineageAction action = new MlLineageAction(".powerai/audit.jsonl");

        assertThat(action.getUrlName()).isEqualTo("ml-lineage");
        assertThat(action.getDisplayName()).isEqualTo("ML lineage");
        assertThat(action.getIconFileName()).isEqualTo("symbol-project-relationship");
        assertThat(action.getSource()).isEqualTo(".powerai/audit.jsonl");
        assertThat(action.getRun()).isNull();
        assertThat(action.getLineage().isEmpty()).isTrue();
    }
}
