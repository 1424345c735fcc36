package io.powerai.jenkins.plugin.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The administrator's defaults from the global configuration, as the pipeline steps receive them. A value that is
 * not configured is the empty string, never null: a Groovy string such as {@code "POWERAI_REGISTRY=${d.registry}"}
 * then stays empty instead of becoming {@code "null"}.
 */
public record CliDefaults(String registry, String registryCredentialsId, String azureCredentialsId,
                          String kubeconfigCredentialsId, String signingCredentialsId, String engine, String baseImage,
                          String policyRequireProvenance, String policyAllowedKeys) {
    public static final CliDefaults NONE = new CliDefaults(null, null, null, null, null, null);

    /** Without a signing key and a deploy policy. */
    public CliDefaults(String registry, String registryCredentialsId, String azureCredentialsId, String kubeconfigCredentialsId,
                       String engine, String baseImage) {
        this(registry, registryCredentialsId, azureCredentialsId, kubeconfigCredentialsId, null, engine, baseImage, null, null);
    }

    public CliDefaults {
        registry = clean(registry);
        registryCredentialsId = clean(registryCredentialsId);
        azureCredentialsId = clean(azureCredentialsId);
        kubeconfigCredentialsId = clean(kubeconfigCredentialsId);
        signingCredentialsId = clean(signingCredentialsId);
        engine = clean(engine);
        baseImage = clean(baseImage);
        policyRequireProvenance = clean(policyRequireProvenance);
        policyAllowedKeys = clean(policyAllowedKeys);
    }

    private static String clean(String value) {
        return value == null ? "" : value.strip();
    }

    /** The keys in a fixed order (the order of the configuration page). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("registry", registry);
        map.put("registryCredentialsId", registryCredentialsId);
        map.put("azureCredentialsId", azureCredentialsId);
        map.put("kubeconfigCredentialsId", kubeconfigCredentialsId);
        map.put("signingCredentialsId", signingCredentialsId);
        map.put("engine", engine);
        map.put("baseImage", baseImage);
        // Not step parameters (the defaults file ignores them): aksDeploy hands them to the CLI as POWERAI_REQUIRE_PROVENANCE
        // and POWERAI_ALLOWED_KEYS, over the project's deploy section, never under it.
        map.put("policyRequireProvenance", policyRequireProvenance);
        map.put("policyAllowedKeys", policyAllowedKeys);
        return map;
    }
}
