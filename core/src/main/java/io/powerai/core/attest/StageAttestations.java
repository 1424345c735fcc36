package io.powerai.core.attest;

import io.powerai.core.image.ImageReference;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.TrainSpec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The facts of each stage turned into its SBOM and provenance: what the stages call, one line each, once their
 * artifacts are known by digest.
 */
public final class StageAttestations {
    private StageAttestations() {
    }

    /** When a stage ran: finished now (by the stage's clock), started {@code durationMillis} before. */
    public record Timing(Instant startedOn, Instant finishedOn) {
        public static Timing endingAt(Instant finishedOn, long durationMillis) {
            return new Timing(finishedOn.minusMillis(durationMillis), finishedOn);
        }
    }

    /** amlEnvSnapshot: the snapshot image, built from its base and input files; its SBOM from the manifest. */
    public static Attestor.Written environment(Attestor attestor, Path workspaceDir, String stage, Timing timing, Manifest manifest,
                                               EnvironmentSpec env, ImageReference pinnedBase, ImageReference pinnedCapture) {
        ImageReference image = ImageReference.parse(manifest.image()).pinned(manifest.imageDigest());
        Map<String, Object> external = new TreeMap<>();
        external.put("base_image", env.baseImage().toString());
        external.put("apt_packages", env.aptPackages());
        external.put("env", env.env());
        external.put("input_files", new ArrayList<>(manifest.inputFiles().keySet()));
        putIfSet(external, "capture_from", env.captureFrom() == null ? null : env.captureFrom().toString());
        putIfSet(external, "cuda", env.cuda());
        putIfSet(external, "cudnn", env.cudnn());
        Map<String, Object> internal = new TreeMap<>();
        internal.put("snapshotId", manifest.snapshotId());
        internal.put("imageTag", manifest.image());
        putIfSet(internal, "python", manifest.pythonVersion());
        List<Provenance.Dependency> deps = new ArrayList<>();
        deps.add(image("base_image", pinnedBase));
        if (pinnedCapture != null) {
            deps.add(image("capture_from", pinnedCapture));
        }
        manifest.inputFiles().forEach((file, sha) -> deps.add(Provenance.Dependency.sha256(file, null, sha)));
        Provenance.Build build = new Provenance.Build(stage, external, internal, deps, timing.startedOn(), timing.finishedOn());
        return attestor.write(workspaceDir, build, List.of(imageSubject(image)), Sbom.environment(manifest));
    }

    /**
     * gpuTrain: the model, i.e. every file the run wrote, by path under {@code outputs/}; built from the image, the
     * code (tree digest and git revision), the data, the arguments, and what the backend knew (the GPU stack).
     */
    public static Attestor.Written model(Attestor attestor, Path workspaceDir, String stage, Timing timing, TrainSpec spec,
                                         String image, Map<String, String> outputs, String codeDigest, String revision,
                                         String sourceUrl, String dataDigest, Map<String, Object> backendDetails) {
        Map<String, Object> external = new TreeMap<>();
        external.put("script", spec.script());
        external.put("args", spec.args());
        external.put("gpus", spec.gpus());
        external.put("backend", spec.backend());
        putIfSet(external, "image", image);
        putIfSet(external, "data", spec.data() == null ? null : spec.data().getFileName() == null ? "." : spec.data().getFileName().toString());
        Map<String, Object> internal = new TreeMap<>(backendDetails);
        List<Provenance.Dependency> deps = new ArrayList<>();
        if (image != null) {
            ImageReference ref = ImageReference.parse(image);
            deps.add(ref.digest().isPresent() ? image("image", ref) : new Provenance.Dependency("image", image, Map.of()));
        }
        Map<String, String> code = new TreeMap<>();
        code.put("sha256", codeDigest);
        if (revision != null) {
            code.put("gitCommit", revision);
        }
        deps.add(new Provenance.Dependency("code", sourceUrl, code));
        if (dataDigest != null) {
            deps.add(Provenance.Dependency.sha256("data", null, dataDigest));
        }
        List<Provenance.Subject> subjects = new ArrayList<>();
        outputs.forEach((path, sha) -> subjects.add(new Provenance.Subject("outputs/" + path, sha)));
        Provenance.Build build = new Provenance.Build(stage, external, internal, deps, timing.startedOn(), timing.finishedOn());
        return attestor.write(workspaceDir, build, subjects, null);
    }

    /** The files a scoring image is made of, by SHA-256, and what the user chose for them. */
    public record ScoringInputs(ImageReference snapshotImage, Manifest snapshotManifest, String modelPath, String modelSha256,
                                String entryScript, String entryScriptSha256, String serverSha256, Map<String, Object> serving,
                                String revision) {
    }

    /** scoringImage: the image, built from the snapshot image, the model, the entry script and the scoring server. */
    public static Attestor.Written scoringImage(Attestor attestor, Path workspaceDir, String stage, Timing timing,
                                                ImageReference image, ScoringInputs in) {
        Map<String, Object> external = new TreeMap<>();
        external.put("model", in.modelPath());
        external.put("entry_script", in.entryScript());
        external.put("serving", in.serving());
        Map<String, Object> internal = new TreeMap<>();
        internal.put("imageTag", image.toString());
        putIfSet(internal, "revision", in.revision());
        List<Provenance.Dependency> deps = new ArrayList<>();
        deps.add(image("snapshot_image", in.snapshotImage()));
        deps.add(Provenance.Dependency.sha256("model", in.modelPath(), in.modelSha256()));
        deps.add(Provenance.Dependency.sha256("entry_script", in.entryScript(), in.entryScriptSha256()));
        deps.add(Provenance.Dependency.sha256("server", "powerai_server.py", in.serverSha256()));
        Manifest manifest = in.snapshotManifest() != null && in.snapshotImage().digest().isPresent()
                && in.snapshotImage().digest().get().equals(in.snapshotManifest().imageDigest()) ? in.snapshotManifest() : null;
        ImageReference pinned = image.pinned(image.digest().orElseThrow());
        Map<String, Object> sbom = Sbom.scoringImage(pinned, in.snapshotImage(), manifest,
                new Sbom.FileArtifact(in.modelPath(), in.modelSha256().substring(0, 12), in.modelSha256()),
                new Sbom.FileArtifact("powerai_server.py", in.serverSha256().substring(0, 12), in.serverSha256()),
                new Sbom.FileArtifact(in.entryScript(), null, in.entryScriptSha256()));
        Provenance.Build build = new Provenance.Build(stage, external, internal, deps, timing.startedOn(), timing.finishedOn());
        return attestor.write(workspaceDir, build, List.of(imageSubject(pinned)), sbom);
    }

    private static Provenance.Subject imageSubject(ImageReference pinned) {
        return new Provenance.Subject(pinned.name(), pinned.digest().orElseThrow());
    }

    private static Provenance.Dependency image(String name, ImageReference pinned) {
        return Provenance.Dependency.sha256(name, Purl.oci(pinned), pinned.digest().orElseThrow());
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
