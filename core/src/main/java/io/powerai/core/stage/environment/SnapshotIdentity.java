package io.powerai.core.stage.environment;

import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.spec.EnvironmentSpec;

import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot id: the SHA-256 of a canonical description of the environment (base image by digest, every package,
 * every input file's bytes), so the same inputs always name the same image and an unchanged environment is never
 * built twice.
 */
public final class SnapshotIdentity {
    /** Bumped whenever the Dockerfile rendering changes, so that old snapshots are not mistaken for new ones. */
    static final int RENDERER_VERSION = 3;

    private SnapshotIdentity() {
    }

    /** The canonical form that is hashed into the snapshot id. */
    static Map<String, Object> canonicalForm(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles,
                                             ImageReference pinnedCapture) {
        Map<String, Object> form = new TreeMap<>();
        form.put("renderer", RENDERER_VERSION);
        form.put("base", pinnedBase.toString());
        form.put("apt_packages", env.aptPackages().stream().sorted().toList());
        form.put("env", env.env());
        form.put("files", new TreeMap<>(inputFiles));
        if (env.cuda() != null) {
            form.put("cuda", env.cuda());
        }
        if (env.cudnn() != null) {
            form.put("cudnn", env.cudnn());
        }
        if (pinnedCapture != null) {
            form.put("capture_from", pinnedCapture.toString());
        }
        return form;
    }

    public static String snapshotId(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles) {
        return snapshotId(env, pinnedBase, inputFiles, null);
    }

    public static String snapshotId(EnvironmentSpec env, ImageReference pinnedBase, Map<String, String> inputFiles,
                                    ImageReference pinnedCapture) {
        return Digests.sha256(Json.canonicalBytes(canonicalForm(env, pinnedBase, inputFiles, pinnedCapture)));
    }
}
