package io.powerai.jenkins.plugin;

import hudson.model.Run;
import io.powerai.jenkins.plugin.lineage.Lineage;
import io.powerai.jenkins.plugin.lineage.LineageFiles;
import io.powerai.jenkins.plugin.lineage.LineagePictures;
import jenkins.model.RunAction2;

/**
 * The build page "ML lineage": the build's copy of the audit log, verified each time the page is shown (a copy
 * changed in the build's folder shows as broken too). The view is {@code MlLineageAction/index.jelly}.
 */
public class MlLineageAction implements RunAction2 {
    public static final String URL_NAME = "ml-lineage";
    public static final String DISPLAY_NAME = "ML lineage";

    /** Where the log was read from, relative to the workspace; kept in build.xml. */
    private final String source;
    private transient Run<?, ?> run;

    public MlLineageAction(String source) {
        this.source = source;
    }

    @Override
    public String getIconFileName() {
        return "symbol-project-relationship";
    }

    @Override
    public String getDisplayName() {
        return DISPLAY_NAME;
    }

    @Override
    public String getUrlName() {
        return URL_NAME;
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    public Run<?, ?> getRun() {
        return run;
    }

    public String getSource() {
        return source;
    }

    public Lineage getLineage() {
        // run is set by Jenkins as soon as the action is attached or loaded; before that there is nothing to show
        return run == null ? Lineage.none() : Lineage.read(LineageFiles.auditLog(run.getRootDir().toPath()));
    }

    /** The lineage graph and the metrics panels, drawn by the core from the result files the step copied; null before the action is attached. */
    public LineagePictures getPictures() {
        return run == null ? null : LineagePictures.read(LineageFiles.auditLog(run.getRootDir().toPath()).getParent());
    }

    /** Per image: whether its provenance verified with the global setting's allowed keys, and who signed it. */
    public io.powerai.jenkins.plugin.lineage.LineageProvenance getProvenance() {
        return run == null ? null : io.powerai.jenkins.plugin.lineage.LineageProvenance.read(
                LineageFiles.auditLog(run.getRootDir().toPath()).getParent(), PoweraiGlobalConfiguration.get().getAllowedKeys());
    }

    /** The page's data as JSON (sorted keys), for tools that read the build. */
    public String getJson() {
        return getLineage().toJson();
    }
}
