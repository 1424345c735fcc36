package io.powerai.jenkins.plugin;

import hudson.model.Action;
import io.powerai.jenkins.plugin.summary.StageSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The powerai stages' lines on the build page ({@code PoweraiSummaryAction/summary.jelly}): one entry per step call,
 * in the order they ran. No page of its own, so no icon, name or URL. Kept in build.xml.
 */
public class PoweraiSummaryAction implements Action {
    private final List<StageSummary> entries = new ArrayList<>();

    /** Adds one stage's entry; parallel stages of one build may call it at the same time. */
    public synchronized void add(StageSummary entry) {
        entries.add(entry);
    }

    public synchronized List<StageSummary> getEntries() {
        return List.copyOf(entries);
    }

    @Override
    public String getIconFileName() {
        return null;
    }

    @Override
    public String getDisplayName() {
        return null;
    }

    @Override
    public String getUrlName() {
        return null;
    }
}
