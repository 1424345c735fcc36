package io.powerai.core.spec;

import java.nio.file.Path;
import java.util.List;

/**
 * The deploy section's policy on what may be deployed: {@code require_provenance} (an image needs a provenance in
 * the registry, signed by one of the allowed keys) and {@code allowed_keys} (PEM public key files, relative to the
 * project). The project's file comes with its pull requests, so the plugin's global setting can require provenance
 * and name the keys too; see {@code io.powerai.core.attest.DeployPolicy}.
 */
public record ProvenanceRequirement(boolean required, List<Path> allowedKeys) {
    public static final ProvenanceRequirement NONE = new ProvenanceRequirement(false, List.of());

    public ProvenanceRequirement {
        allowedKeys = List.copyOf(allowedKeys);
    }

    static ProvenanceRequirement from(Section s, Path projectDir) {
        boolean required = s.bool("require_provenance", false);
        List<Path> keys = new java.util.ArrayList<>();
        for (String name : s.stringList("allowed_keys")) {
            Path file = projectDir.resolve(name).normalize();
            if (name.isBlank() || !java.nio.file.Files.isRegularFile(file)) {
                s.problem("allowed_keys", name, "must name PEM public key files (relative to the project or absolute)");
            } else {
                keys.add(file);
            }
        }
        return new ProvenanceRequirement(required, keys);
    }
}
