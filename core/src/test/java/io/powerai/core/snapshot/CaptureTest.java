package io.powerai.core.snapshot;

import io.powerai.core.Golden;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Looking inside an image, from recorded output of the capture script (a conda image with pip packages on top of
 * it; conda cannot run here). The lock files rendered from it are golden files.
 */
class CaptureTest {
    static Capture.Captured fixture(String name) throws IOException {
        Path file = Path.of("src/test/resources/io/powerai/core/snapshot/CaptureTest", name + ".txt");
        return Capture.parse(Files.readAllLines(file));
    }

    static Manifest manifest() throws IOException {
        Capture.Captured image = fixture("conda-image");
        return new Manifest("ab".repeat(32), "127.0.0.1:5000/demo-env:" + "ab".repeat(32), "sha256:" + "cd".repeat(32),
                "registry.example/lab/conda:1", "sha256:" + "ef".repeat(32), image.osRelease(), image.pythonVersion(),
                image.pythonImplementation(), "12.1", "8.9", new java.util.TreeMap<>(java.util.Map.of("OMP_NUM_THREADS", "1")),
                new java.util.TreeMap<>(java.util.Map.of("environment.yml", "00".repeat(32))), image.condaName(), image.condaChannels(),
                Manifest.packages(image, fixture("base-image")));
    }

    @Test
    void parse_everySection_engineOutputBeforeTheFirstMarkerIgnored() throws IOException {
        Capture.Captured c = fixture("conda-image");

        assertThat(c.osId()).isEqualTo("debian");
        assertThat(c.osRelease()).containsEntry("PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)").containsEntry("VERSION_ID", "12");
        assertThat(c.pythonVersion()).isEqualTo("3.11.8");
        assertThat(c.pipPresent()).isTrue();
        assertThat(c.python()).containsOnlyKeys("gitpkg", "numpy", "pip", "tiny-dep", "tinypkg");
        assertThat(c.python().get("tinypkg").hash()).isEqualTo("sha256:" + "1".repeat(64));
        assertThat(c.python().get("tiny-dep").hash()).as("pip 22's 'hash' field").isEqualTo("sha256:" + "2".repeat(64));
        assertThat(c.python().get("numpy").installer()).isEqualTo("conda");
        assertThat(c.condaPresent()).isTrue();
        assertThat(c.condaChannels()).containsExactly("conda-forge", "defaults");
        assertThat(c.conda().get("numpy")).as("the channel from conda list --json").isEqualTo(
                new Capture.CondaPackage("https://conda.anaconda.org/conda-forge", "numpy", "1.26.4", "py311h64a7726_0"));
        assertThat(c.conda()).as("what pip installed is not conda's").containsOnlyKeys("_libgcc_mutex", "numpy", "pip", "python");
        assertThat(c.dpkg()).as("only installed packages (ii)").containsOnlyKeys("bash", "libc6", "tzdata");
    }

    @Test
    void parse_withoutCondaList_channelFromTheExportWhereItNamesOne_elseUnknown() {
        List<String> lines = List.of("@@powerai:conda", "name: base", "channels: [conda-forge]", "dependencies:",
                "  - conda-forge::numpy=1.26.4=py311h64a7726_0", "  - python=3.11.8=hab00c5b_0_cpython", "@@powerai:conda-list",
                "@@powerai:end");

        Capture.Captured c = Capture.parse(lines);

        assertThat(c.conda().get("numpy").channel()).isEqualTo("conda-forge");
        assertThat(c.conda().get("python").channel()).isNull();
    }

    @Test
    void condaChannelUrls_leavesOutPipsVirtualChannels_trailingSlashGone() {
        assertThat(Capture.condaChannelUrls("""
                [{"base_url": "http://127.0.0.1:8000/ch/", "channel": "ch", "name": "Tiny", "platform": "noarch"},
                 {"base_url": "https://conda.anaconda.org/pypi", "channel": "pypi", "name": "tinypkg", "platform": "pypi"},
                 {"base_url": null, "channel": "<unknown>", "name": "local", "platform": "linux-64"},
                 {"base_url": "https://conda.anaconda.org/<develop>", "channel": "<develop>", "name": "dev", "platform": "pypi"}]
                """.strip())).isEqualTo(java.util.Map.of("tiny", "http://127.0.0.1:8000/ch"));
        assertThat(Capture.condaChannelUrls("")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Capture.condaChannelUrls("[{"))
                .hasMessageStartingWith("conda list --json printed something that is not JSON");
    }

    @Test
    void parse_noTools_leavesTheirPartsEmpty() {
        Capture.Captured c = Capture.parse(List.of("@@powerai:os-release", "ID=alpine", "@@powerai:python", "@@powerai:pip-list",
                "@@powerai:pip-freeze", "@@powerai:conda", "@@powerai:dpkg", "@@powerai:pip-report", "@@powerai:end"));

        assertThat(c.osId()).isEqualTo("alpine");
        assertThat(c.pythonVersion()).isNull();
        assertThat(c.python()).isEmpty();
        assertThat(c.pipPresent()).isFalse();
        assertThat(c.condaPresent()).isFalse();
        assertThat(c.dpkg()).isEmpty();
    }

    @Test
    void manifestPackages_condasOwnOnceAsConda_layersFromTheBase() throws IOException {
        Manifest m = manifest();

        assertThat(m.packages(Manifest.SOURCE_CONDA)).extracting(Manifest.Package::name)
                .containsExactly("_libgcc_mutex", "numpy", "pip", "python");
        assertThat(m.packages(Manifest.SOURCE_PIP)).extracting(Manifest.Package::name)
                .as("numpy and pip are conda's; recorded once").containsExactly("gitpkg", "tiny-dep", "tinypkg");
        assertThat(m.snapshotLayer(Manifest.SOURCE_APT)).extracting(Manifest.Package::name).containsExactly("tzdata");
        assertThat(m.snapshotLayer(Manifest.SOURCE_CONDA)).extracting(Manifest.Package::name).containsExactly("numpy");
        assertThat(m.packages(Manifest.SOURCE_PIP)).filteredOn(p -> p.name().equals("gitpkg")).singleElement()
                .satisfies(p -> assertThat(p.url()).startsWith("git+https://example.org/gitpkg.git@3f2a9c1d"));
    }

    @Test
    void manifest_rendersTheSameBytesTwice_andReadsBack() throws IOException {
        Manifest m = manifest();

        assertThat(manifest().render()).isEqualTo(m.render());
        assertThat(Manifest.fromJson(io.powerai.core.json.Json.parseObject(m.render())).render()).isEqualTo(m.render());
        Golden.assertMatches(CaptureTest.class, "manifest", "json", m.render());
    }

    @Test
    void condaLock_matchesGolden_theLayerOverTheBaseFromItsChannelsOnly() throws IOException {
        String lock = LockFiles.conda(manifest());

        Golden.assertMatches(CaptureTest.class, "environment.lock", "yml", lock);
        assertThat(lock).contains("  - https://conda.anaconda.org/conda-forge::numpy=1.26.4=py311h64a7726_0\n")
                .contains("channels:\n  - https://conda.anaconda.org/conda-forge\n  - nodefaults\n")
                .as("the base's own packages and what pip installed are not in it").doesNotContain("python=").doesNotContain("tinypkg");
    }

    @Test
    void condaLock_aPackageOfUnknownChannel_allChannelsOfTheEnvironment_noLockWithoutALayer() throws IOException {
        Manifest m = manifest();
        List<Manifest.Package> unknownChannel = m.packages().stream().map(p -> p.name().equals("numpy")
                ? new Manifest.Package(p.name(), p.version(), p.source(), p.hash(), p.build(), p.installer(), p.layer(), p.url(), null) : p)
                .toList();
        Manifest without = new Manifest(m.snapshotId(), m.image(), m.imageDigest(), m.baseImage(), m.baseImageDigest(), m.os(),
                m.pythonVersion(), m.pythonImplementation(), null, null, m.env(), m.inputFiles(), m.condaName(), m.condaChannels(),
                unknownChannel);

        assertThat(LockFiles.conda(without)).contains("channels:\n  - conda-forge\n  - defaults\n  - nodefaults\n")
                .contains("  - numpy=1.26.4=py311h64a7726_0\n");
        Manifest baseOnly = new Manifest(m.snapshotId(), m.image(), m.imageDigest(), m.baseImage(), m.baseImageDigest(), m.os(),
                m.pythonVersion(), m.pythonImplementation(), null, null, m.env(), m.inputFiles(), m.condaName(), m.condaChannels(),
                m.packages().stream().filter(p -> !p.name().equals("numpy")).toList());
        assertThat(LockFiles.conda(baseOnly)).isNull();
    }

    @Test
    void manifestPackages_anotherCondaBuildOfTheSameVersion_isTheSnapshots() throws IOException {
        List<String> base = new java.util.ArrayList<>(Files.readAllLines(
                Path.of("src/test/resources/io/powerai/core/snapshot/CaptureTest/base-image.txt")));
        base.replaceAll(l -> l.replace("python=3.11.8=hab00c5b_0_cpython", "python=3.11.8=hab00c5b_1_cpython"));

        List<Manifest.Package> packages = Manifest.packages(fixture("conda-image"), Capture.parse(base));

        assertThat(packages).filteredOn(p -> p.source().equals(Manifest.SOURCE_CONDA) && p.layer().equals("snapshot"))
                .extracting(Manifest.Package::name).containsExactly("numpy", "python");
    }

    @Test
    void requirementsLock_matchesGolden_hashesOnlyWhenEveryOneIsKnown() throws IOException {
        String lock = LockFiles.requirements(manifest(), List.of("--index-url http://127.0.0.1:8080/simple/", "--pre"));

        Golden.assertMatches(CaptureTest.class, "requirements", "lock", lock);
        assertThat(lock).contains("--index-url http://127.0.0.1:8080/simple/\n").doesNotContain("--pre")
                .contains("gitpkg @ git+https://example.org/gitpkg.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1\n")
                .as("a VCS checkout has no hash: no hash-checking mode").doesNotContain("--hash=").contains("tinypkg==1.0.0\n");
        Manifest hashed = manifest();
        hashed = new Manifest(hashed.snapshotId(), hashed.image(), hashed.imageDigest(), hashed.baseImage(), hashed.baseImageDigest(),
                hashed.os(), hashed.pythonVersion(), hashed.pythonImplementation(), null, null, hashed.env(), hashed.inputFiles(), null,
                List.of(), hashed.packages().stream().filter(p -> !p.name().equals("gitpkg")).toList());
        assertThat(LockFiles.requirements(hashed, List.of())).contains("tinypkg==1.0.0 \\\n    --hash=sha256:" + "1".repeat(64))
                .contains("--require-hashes");
    }

    @Test
    void aptLock_matchesGolden() throws IOException {
        Golden.assertMatches(CaptureTest.class, "apt", "lock", LockFiles.apt(manifest()));
    }
}
