package io.powerai.core.attest;

import io.powerai.core.build.BuildInfo;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who ran a stage, as the SLSA provenance's {@code runDetails.builder}: the Jenkins job and build when the face runs
 * in Jenkins, else the host and user. Faces read these from their environment; the core never does.
 *
 * @param jobName  Jenkins' JOB_NAME, or null outside Jenkins
 * @param buildUrl Jenkins' BUILD_URL, or null outside Jenkins
 * @param host     the host name (outside Jenkins)
 * @param user     the user name (outside Jenkins)
 */
public record Builder(String jobName, String buildUrl, String host, String user) {
    static final String LOCAL_PREFIX = "urn:powerai:builder:local:";

    public static Builder jenkins(String jobName, String buildUrl) {
        return new Builder(jobName, buildUrl, null, null);
    }

    public static Builder local(String host, String user) {
        return new Builder(null, null, host == null || host.isBlank() ? "unknown-host" : host,
                user == null || user.isBlank() ? "unknown-user" : user);
    }

    /** A builder known only by the JVM's own defaults: for contexts no face configured (tests, embedders). */
    public static Builder unknown() {
        return local(null, null);
    }

    /** The builder of a run: the Jenkins job and build when {@code build} is a Jenkins build's, else host and user. */
    public static Builder of(BuildInfo build, String host, String user) {
        if (build.inJenkins()) {
            return jenkins(Optional.ofNullable(build.jobName()).orElse(""), build.url());
        }
        return local(host, user);
    }

    public boolean inJenkins() {
        return buildUrl != null;
    }

    /** builder.id: a URI. The Jenkins job's URL (the build URL without its number), else a URN of host and user. */
    public String id() {
        if (inJenkins()) {
            String url = buildUrl.endsWith("/") ? buildUrl.substring(0, buildUrl.length() - 1) : buildUrl;
            int last = url.lastIndexOf('/');
            boolean numbered = last > 0 && url.substring(last + 1).chars().allMatch(Character::isDigit) && last < url.length() - 1;
            return numbered ? url.substring(0, last + 1) : buildUrl;
        }
        return LOCAL_PREFIX + encode(user) + "@" + encode(host);
    }

    /** The provenance's {@code runDetails.builder}: id, plus the job and build for a Jenkins run. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id());
        if (inJenkins()) {
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("jenkinsJob", jobName);
            version.put("jenkinsBuild", buildUrl);
            out.put("version", version);
        }
        return out;
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }
}
