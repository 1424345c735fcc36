package io.powerai.core.attest;

import io.powerai.core.image.ImageReference;
import io.powerai.core.snapshot.Manifest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A snapshot manifest with a package of every kind: what the SBOM and provenance tests build from. */
final class Fixtures {
    static final String IMAGE_DIGEST = "sha256:" + "c7".repeat(32);
    static final String BASE_DIGEST = "sha256:" + "db".repeat(32);
    static final String SCORE_DIGEST = "sha256:" + "5e".repeat(32);

    private Fixtures() {
    }

    static Manifest manifest() {
        Map<String, String> os = Map.of("ID", "debian", "VERSION_ID", "12", "VERSION_CODENAME", "bookworm");
        List<Manifest.Package> packages = List.of(
                new Manifest.Package("libc6", "2.36-9+deb12u4", Manifest.SOURCE_APT, null, null, null, "base", null, null),
                new Manifest.Package("libgomp1", "1:12.2.0-14", Manifest.SOURCE_APT, null, null, null, "snapshot", null, null),
                new Manifest.Package("scikit_learn", "1.2.1", Manifest.SOURCE_PIP, null, null, null, "base", null, null),
                new Manifest.Package("joblib", "1.3.2", Manifest.SOURCE_PIP, "sha256:" + "0a".repeat(32), null, "pip", "snapshot", null, null),
                new Manifest.Package("mylib", "0.1", Manifest.SOURCE_PIP, null, null, "pip", "snapshot",
                        "git+https://user:secret@git.example.org/mylib.git@abc", null),
                new Manifest.Package("numpy", "1.26.4", Manifest.SOURCE_CONDA, null, "py311h64a7726_0", null, "snapshot", null,
                        "https://conda.example.org/conda-forge"));
        return new Manifest("4b".repeat(32), "127.0.0.1:5000/demo-env:" + "4b".repeat(32), IMAGE_DIGEST,
                "127.0.0.1:5000/powerai/python-ml:bookworm", BASE_DIGEST, new TreeMap<>(os), "3.11.2", "CPython", null, null,
                new TreeMap<>(Map.of("OMP_NUM_THREADS", "1")), new TreeMap<>(Map.of("requirements.txt", "12".repeat(32))), null,
                List.of(), packages);
    }

    static ImageReference snapshotImage() {
        return ImageReference.parse("127.0.0.1:5000/demo-env@" + IMAGE_DIGEST);
    }

    static ImageReference scoringImage() {
        return ImageReference.parse("127.0.0.1:5000/demo-score@" + SCORE_DIGEST);
    }
}
