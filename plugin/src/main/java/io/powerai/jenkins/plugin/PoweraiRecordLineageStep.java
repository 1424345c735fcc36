package io.powerai.jenkins.plugin;

import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.powerai.jenkins.plugin.lineage.Lineage;
import io.powerai.jenkins.plugin.lineage.LineageFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code poweraiRecordLineage(auditLog: '.powerai/audit.jsonl')}: copies the workspace's audit log (and its head
 * file) into the build, shows it on the build's "ML lineage" page, and fails the step when the hash chain does
 * not verify (after recording it, so that the page shows where it broke). Call it after the stages, e.g. in
 * {@code post { always { ... } }}; each call replaces the build's copy with the log as it is then. Glue only.
 */
public class PoweraiRecordLineageStep extends Step {
    public static final String FUNCTION_NAME = "poweraiRecordLineage";

    private String auditLog = LineageFiles.DEFAULT_AUDIT_LOG;

    @DataBoundConstructor
    public PoweraiRecordLineageStep() {
        // auditLog has a default
    }

    public String getAuditLog() {
        return auditLog;
    }

    /** The audit log's path relative to the workspace. */
    @DataBoundSetter
    public void setAuditLog(String auditLog) {
        this.auditLog = auditLog == null || auditLog.isBlank() ? LineageFiles.DEFAULT_AUDIT_LOG : auditLog.strip();
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, auditLog);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;
        private final String auditLog;

        Execution(StepContext context, String auditLog) {
            super(context);
            this.auditLog = auditLog;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            String relative;
            try {
                relative = LineageFiles.requireRelative(FUNCTION_NAME, auditLog);
            } catch (IllegalArgumentException e) {
                throw new AbortException(e.getMessage());
            }
            StepContext context = getContext();
            FilePath workspace = context.get(FilePath.class);
            Run<?, ?> run = context.get(Run.class);
            if (workspace == null || run == null) {
                throw new AbortException(FUNCTION_NAME + ": needs a workspace: call it inside node { } (or a stage with an agent)");
            }
            FilePath log = workspace.child(relative);
            if (!log.exists()) {
                throw new AbortException(FUNCTION_NAME + ": no audit log at " + relative + " in the workspace "
                        + workspace.getRemote() + ": run a powerai stage first, or name the log with auditLog:");
            }
            Path copy = LineageFiles.auditLog(run.getRootDir().toPath());
            try (InputStream in = log.read()) {
                LineageFiles.store(in, copy);
            }
            FilePath head = workspace.child(relative + LineageFiles.HEAD_SUFFIX);
            if (head.exists()) {
                try (InputStream in = head.read()) {
                    LineageFiles.store(in, LineageFiles.head(copy));
                }
            } else {
                // Never keep an older head: its absence is what verification must see.
                Files.deleteIfExists(LineageFiles.head(copy));
            }

            // The result files beside the log, for the page's pictures; a stage that has not run leaves none (and no stale copy).
            String folder = relative.contains("/") ? relative.substring(0, relative.lastIndexOf('/') + 1) : "";
            for (String file : io.powerai.jenkins.plugin.lineage.LineageFiles.copied()) {
                FilePath source = workspace.child(folder + file);
                Path target = copy.resolveSibling(file);
                if (source.exists()) {
                    try (InputStream in = source.read()) {
                        LineageFiles.store(in, target);
                    }
                } else {
                    Files.deleteIfExists(target);
                }
            }

            Lineage lineage = Lineage.read(copy);
            run.addOrReplaceAction(new MlLineageAction(relative));
            TaskListener listener = context.get(TaskListener.class);
            if (listener != null) {
                listener.getLogger().println("[" + FUNCTION_NAME + "] audit: " + lineage.getSummary() + "; chain environment -> model"
                        + " -> image -> deployment " + (lineage.isChainComplete() ? "complete" : "incomplete")
                        + " (see the build's ML lineage page)");
            }
            if (!lineage.isVerified()) {
                throw new AbortException(FUNCTION_NAME + ": the audit log " + relative + " does not verify: " + lineage.getProblem());
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("verified", true);
            result.put("records", lineage.getRecordCount());
            result.put("chainComplete", lineage.isChainComplete());
            return result;
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
            return "Record the powerai audit log on the build's ML lineage page";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, Run.class, TaskListener.class);
        }
    }
}
