package io.powerai.core.build;

/**
 * The CI build a run belongs to, as the face found it (Jenkins' JOB_NAME, BUILD_TAG and BUILD_URL); every field is
 * null outside Jenkins. The core never reads the environment: a face reads these once and passes them in.
 *
 * @param jobName Jenkins' JOB_NAME (provenance's builder), or null
 * @param tag     Jenkins' BUILD_TAG (a deployment's annotation), or null
 * @param url     Jenkins' BUILD_URL (a deployment's annotation, provenance's builder), or null
 */
public record BuildInfo(String jobName, String tag, String url) {
    /** No CI build: a run from a terminal, a test. */
    public static final BuildInfo NONE = new BuildInfo(null, null, null);

    public BuildInfo {
        jobName = blankToNull(jobName);
        tag = blankToNull(tag);
        url = blankToNull(url);
    }

    /** Whether the run is a Jenkins build's (it has a build URL). */
    public boolean inJenkins() {
        return url != null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
