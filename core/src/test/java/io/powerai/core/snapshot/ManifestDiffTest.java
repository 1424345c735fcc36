package io.powerai.core.snapshot;

import io.powerai.core.Golden;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Differences between two manifests: the table people read, the JSON machines read (both golden). */
class ManifestDiffTest {
    private static Manifest manifest(String baseDigest, String python, List<Manifest.Package> packages) {
        return new Manifest("11".repeat(32), null, null, "127.0.0.1:5000/powerai/python-ml:bookworm", baseDigest,
                new TreeMap<>(Map.of("PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)")), python, "CPython", null, null,
                new TreeMap<>(), new TreeMap<>(), null, List.of(), packages);
    }

    private static Manifest.Package pip(String name, String version, String hash) {
        return new Manifest.Package(name, version, "pip", hash, null, "pip", "snapshot", null, null);
    }

    private static Manifest.Package apt(String name, String version) {
        return new Manifest.Package(name, version, "apt", null, null, null, "base", null, null);
    }

    private static final Manifest A = manifest("sha256:" + "aa".repeat(32), "3.11.2", List.of(
            pip("numpy", "1.26.3", "sha256:" + "01".repeat(32)), pip("pandas", "2.2.0", "sha256:" + "02".repeat(32)),
            pip("tinypkg", "1.0.0", "sha256:" + "03".repeat(32)), apt("curl", "7.88.1-10+deb12u5"), apt("libc6", "2.36-9")));
    private static final Manifest B = manifest("sha256:" + "bb".repeat(32), "3.11.2", List.of(
            pip("numpy", "1.26.4", "sha256:" + "04".repeat(32)), pip("pandas", "2.2.0", "sha256:" + "02".repeat(32)),
            pip("tinypkg", "1.0.0", "sha256:" + "05".repeat(32)), pip("scipy", "1.11.4", null), apt("libc6", "2.36-9")));

    @Test
    void of_findsAddedRemovedChangedAndTheBaseDigest() {
        ManifestDiff diff = ManifestDiff.of("a/manifest.json", A, "b/manifest.json", B);

        assertThat(diff.identical()).isFalse();
        assertThat(diff.added()).extracting(Manifest.Package::name).containsExactly("scipy");
        assertThat(diff.removed()).extracting(Manifest.Package::name).containsExactly("curl");
        assertThat(diff.changed()).extracting(c -> c.before().name() + ":" + c.what()).containsExactly("numpy:version", "tinypkg:hash");
        assertThat(diff.fields()).extracting(ManifestDiff.Field::name).containsExactly("base image digest");
    }

    @Test
    void table_matchesGolden() {
        Golden.assertMatches(ManifestDiffTest.class, "a-to-b", "txt", ManifestDiff.of("a/manifest.json", A, "b/manifest.json", B).table());
    }

    @Test
    void json_matchesGolden() {
        Golden.assertMatches(ManifestDiffTest.class, "a-to-b", "json",
                Json.pretty(ManifestDiff.of("a/manifest.json", A, "b/manifest.json", B).toJson()));
    }

    @Test
    void sameManifest_isIdentical_unknownHashIsNotADifference() {
        Manifest withoutHashes = manifest(A.baseImageDigest(), "3.11.2", A.packages().stream()
                .map(p -> new Manifest.Package(p.name(), p.version(), p.source(), null, null, null, null, null, null)).toList());

        ManifestDiff diff = ManifestDiff.of("a", A, "a again", withoutHashes);

        assertThat(diff.identical()).isTrue();
        assertThat(diff.table()).contains("no differences: 5 packages");
    }

    private static Manifest.Package conda(String name, String version, String build, String channel) {
        return new Manifest.Package(name, version, "conda", null, build, null, "snapshot", null, channel);
    }

    @Test
    void condaBuild_isPartOfThePackage_channelIsNot() {
        String forge = "https://conda.anaconda.org/conda-forge";
        Manifest cpu = manifest(A.baseImageDigest(), "3.11.2", List.of(conda("pytorch", "2.1.0", "cpu_py311h0_0", forge),
                conda("numpy", "1.26.4", "py311h64a7726_0", forge)));
        Manifest cuda = manifest(A.baseImageDigest(), "3.11.2", List.of(conda("pytorch", "2.1.0", "cuda120_py311h1_0", forge),
                conda("numpy", "1.26.4", "py311h64a7726_0", "http://127.0.0.1:8000/mirror")));
        Manifest unknownBuild = manifest(A.baseImageDigest(), "3.11.2", List.of(conda("pytorch", "2.1.0", null, null),
                conda("numpy", "1.26.4", "py311h64a7726_0", forge)));

        ManifestDiff diff = ManifestDiff.of("cpu", cpu, "cuda", cuda);

        assertThat(diff.changed()).extracting(c -> c.before().name() + ":" + c.what()).containsExactly("pytorch:build");
        assertThat(diff.table()).containsPattern("changed\\s+conda\\s+pytorch\\s+2\\.1\\.0=cpu_py311h0_0\\s+2\\.1\\.0=cuda120_py311h1_0\n");
        assertThat(Json.pretty(diff.toJson())).contains("\"build\" : \"cuda120_py311h1_0\"");
        assertThat(ManifestDiff.of("cpu", cpu, "no build", unknownBuild).identical()).as("a build not known on one side").isTrue();
    }
}
