package io.powerai.core.attest;

import io.powerai.core.PowerAiException;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.spec.ProvenanceRequirement;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What may be deployed: when provenance is required, only an image whose provenance in the registry verifies with
 * an allowed key, down its chain ({@link ImageVerification}). Checked before a target is touched, by the one caller
 * of both targets. The project's {@code deploy.require_provenance} and {@code deploy.allowed_keys} come with its pull
 * requests, so the administrator's global setting wins where it says anything: it can require provenance (the
 * project cannot switch that off), and its keys, when it names any, are the only ones allowed (a pull request cannot
 * add its own).
 *
 * @param required    whether an image needs a verified provenance
 * @param allowedKeys the keys that may have signed it
 * @param keysFrom    where the keys came from, for the messages
 */
public record DeployPolicy(boolean required, List<PublicKey> allowedKeys, String keysFrom) {
    public static final DeployPolicy NONE = new DeployPolicy(false, List.of(), "none");

    public DeployPolicy {
        allowedKeys = List.copyOf(allowedKeys);
    }

    /**
     * The policy of a project's {@code deploy} section under the administrator's global setting: {@code globalRequired}
     * and {@code globalKeysPem} (PEM public keys, blank for none).
     */
    public static DeployPolicy of(ProvenanceRequirement project, boolean globalRequired, String globalKeysPem, String stage) {
        ProvenanceRequirement p = project == null ? ProvenanceRequirement.NONE : project;
        List<PublicKey> global = PublicKeys.allFromPem(globalKeysPem, stage + ": the global setting's allowed keys");
        if (!global.isEmpty()) {
            return new DeployPolicy(globalRequired || p.required(), global, "the global setting");
        }
        List<PublicKey> keys = new ArrayList<>();
        for (Path file : p.allowedKeys()) {
            keys.add(PublicKeys.fromFile(file, stage + ": 'deploy.allowed_keys' " + file));
        }
        return new DeployPolicy(globalRequired || p.required(), keys, "deploy.allowed_keys");
    }

    /**
     * Refuses {@code image} (exit 1, one line) unless the policy lets it through; the verdict when one was made.
     * Required without any allowed key is invalid input: nothing could ever pass.
     */
    public Optional<ImageVerification.Verdict> enforce(String stage, RegistryClient registry, String image) {
        if (!required) {
            return Optional.empty();
        }
        if (allowedKeys.isEmpty()) {
            throw new PowerAiException.InvalidInput(stage + ": 'deploy.require_provenance' is true but no key is allowed: set"
                    + " 'deploy.allowed_keys' (PEM public key files) or the allowed keys of the global setting");
        }
        ImageVerification.Verdict verdict = new ImageVerification(registry, allowedKeys).verify(image, stage + ": image");
        String problem = !verdict.ok() ? verdict.problem() : verdict.modelSha256() == null
                ? verdict.chain().get(0).image() + " is not a scoring image (its provenance is of " + verdict.chain().get(0).buildType() + ")"
                : null;
        if (problem != null) {
            // The problem names the image by digest; said once when that is how it was given.
            problem = problem.startsWith(image + ": ") ? problem.substring(image.length() + 2) : problem;
            throw new PowerAiException.StageFailed(stage + ": refused to deploy " + image + ": " + problem
                    + " (provenance required; keys allowed by " + keysFrom + "); nothing was deployed");
        }
        return Optional.of(verdict);
    }
}
