package io.powerai.jenkins.plugin;

import hudson.Extension;
import hudson.model.Action;
import hudson.model.Job;
import hudson.model.Run;
import io.powerai.jenkins.plugin.lineage.ModelHistoryPage;
import jenkins.model.TransientActionFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The job page "Model history" ({@code ModelHistoryAction/index.jelly}): computed when shown, from the builds' copies. */
public class ModelHistoryAction implements Action {
    public static final String URL_NAME = "model-history";
    /** The newest builds read for the page; older ones are left out to keep it quick. */
    static final int MAX_BUILDS = 50;

    private final Job<?, ?> job;

    public ModelHistoryAction(Job<?, ?> job) {
        this.job = job;
    }

    @Override
    public String getIconFileName() {
        return "symbol-trending-up";
    }

    @Override
    public String getDisplayName() {
        return "Model history";
    }

    @Override
    public String getUrlName() {
        return URL_NAME;
    }

    public Job<?, ?> getJob() {
        return job;
    }

    public ModelHistoryPage getPage() {
        List<Run<?, ?>> newestFirst = new ArrayList<>();
        for (Run<?, ?> run = job.getLastBuild(); run != null && newestFirst.size() < MAX_BUILDS; run = run.getPreviousBuild()) {
            newestFirst.add(run);
        }
        Map<String, Path> builds = new LinkedHashMap<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            builds.put("#" + newestFirst.get(i).getNumber(), newestFirst.get(i).getRootDir().toPath());
        }
        return ModelHistoryPage.of(builds);
    }

    /** Adds the page to every job. */
    @Extension
    @SuppressWarnings("rawtypes")
    public static final class Factory extends TransientActionFactory<Job> {
        @Override
        public Class<Job> type() {
            return Job.class;
        }

        @Override
        public Collection<? extends Action> createFor(Job target) {
            return List.of(new ModelHistoryAction(target));
        }
    }
}
