package io.powerai.jenkins.plugin.summary;

/** One link of a stage's summary: what it is, the file's name as shown, the URL relative to the build page. */
public final class SummaryLink {
    private final String role;
    private final String label;
    private final String href;

    SummaryLink(String role, String label, String href) {
        this.role = role;
        this.label = label;
        this.href = href;
    }

    public String getRole() {
        return role;
    }

    public String getLabel() {
        return label;
    }

    public String getHref() {
        return href;
    }

    @Override
    public String toString() {
        return role + ": " + label + " -> " + href;
    }
}
