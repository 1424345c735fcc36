package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.powerai.core.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two Secrets of a scoring service, rendered as {@link AksManifests} renders the other objects (same names and
 * labels): {@code <name>-keys}, the endpoint keys, and {@code <name>-registry}, the image pull Secret. Rendered
 * without their data, they say where the data comes from instead (dry run).
 */
final class AksSecrets {
    private AksSecrets() {
    }

    /** The endpoint keys; {@code keys} null renders the Secret without its data (dry run). */
    static Secret keys(AksManifests m, Map<String, String> keys) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata().withName(m.keysSecretName()).withNamespace(m.namespace()).withLabels(m.commonLabels())
                    .withAnnotations(keys == null ? Map.of(AksManifests.SECRET_DATA, "primaryKey and secondaryKey, generated at the first deployment, never printed") : Map.of())
                .endMetadata()
                .withType("Opaque");
        if (keys != null) {
            Map<String, String> data = new LinkedHashMap<>();
            keys.forEach((k, v) -> data.put(k, base64(v)));
            secret.withData(data);
        }
        return secret.build();
    }

    /** The image pull secret for {@code registry}; {@code username} null renders it without its data (dry run). */
    static Secret pull(AksManifests m, String registry, String username, String password) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata().withName(m.pullSecretName()).withNamespace(m.namespace()).withLabels(m.commonLabels())
                    .withAnnotations(username == null ? Map.of(AksManifests.SECRET_DATA, "credentials for " + registry
                            + " from POWERAI_REGISTRY_USERNAME and POWERAI_REGISTRY_PASSWORD, never printed") : Map.of())
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson");
        if (username != null) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("username", username);
            entry.put("password", password);
            entry.put("auth", base64(username + ":" + password));
            String config = Json.canonical(Map.of("auths", Map.of(registry, entry)));
            secret.withData(Map.of(".dockerconfigjson", base64(config)));
        }
        return secret.build();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
