package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.Secret;
import io.powerai.core.event.StageEvents;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deployment's Secrets: the endpoint keys (made once, then kept: keys outlive versions, so clients keep working
 * across deployments) and the image pull Secret (written from the registry credentials at every deploy). Their data
 * never leaves the cluster except the primary key, which the smoke test sends.
 */
final class EndpointSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterObjects objects;
    private final AksPlan plan;
    private final StageEvents events;

    EndpointSecrets(ClusterObjects objects, AksPlan plan, StageEvents events) {
        this.objects = objects;
        this.plan = plan;
        this.events = events;
    }

    /** Makes sure both Secrets are there as the plan needs them; returns the primary endpoint key (null: auth off). */
    String ensure() {
        AksManifests m = plan.manifests();
        String primaryKey = null;
        if (plan.settings().authEnabled()) {
            Secret existing = objects.secret(m.keysSecretName());
            String primary = value(existing, AksManifests.PRIMARY_KEY);
            if (primary != null && value(existing, AksManifests.SECONDARY_KEY) != null) {
                primaryKey = primary;
            } else {
                Map<String, String> keys = new LinkedHashMap<>();
                keys.put(AksManifests.PRIMARY_KEY, newKey());
                keys.put(AksManifests.SECONDARY_KEY, newKey());
                events.progress("generated endpoint keys into Secret " + m.namespace() + "/" + m.keysSecretName());
                objects.apply("write Secret " + m.keysSecretName(), AksSecrets.keys(m, keys), existing);
                primaryKey = keys.get(AksManifests.PRIMARY_KEY);
            }
        }
        if (plan.registryUser() != null) {
            Secret existing = objects.secret(m.pullSecretName());
            objects.apply("write image pull Secret " + m.pullSecretName(),
                    AksSecrets.pull(m, plan.registryHost(), plan.registryUser(), plan.registryPassword()), existing);
        }
        return primaryKey;
    }

    /**
     * The primary key the keys Secret holds, read only (null: auth off, or no keys yet): what the smoke tests of promote
     * and rollback send, since the scoring server refuses a request without it.
     */
    String primaryKey() {
        return plan.settings().authEnabled() ? value(objects.secret(plan.manifests().keysSecretName()), AksManifests.PRIMARY_KEY) : null;
    }

    private static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String value(Secret secret, String key) {
        if (secret == null || secret.getData() == null || secret.getData().get(key) == null) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
