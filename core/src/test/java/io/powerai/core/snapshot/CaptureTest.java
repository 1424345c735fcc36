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
        assertThat(c.conda().get("numpy")).isEqualTo(new Capture.CondaPackage("conda-forge", "numpy", "1.26.4", "py311h64a7726_0"));
        assertThat(c.dpkg()).as("only installed packages (ii)").containsOnlyKeys("bash", "libc6", "tzdata");
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
    void condaLock_matchesGolden() throws IOException {
        Golden.assertMatches(CaptureTest.class, "environment.lock", "yml", LockFiles.conda(manifest()));
    }

    @Test
    void condaLockWithoutPip_keepsTheCondaPackages_dropsOnlyThePipList() throws IOException {
        String lock = LockFiles.conda(manifest());
        String withoutPip = io.powerai.core.python.CondaEnvironment.withoutPip(lock);

        assertThat(lock).contains("  - pip:\n      - gitpkg==0.3.0\n");
        assertThat(withoutPip).doesNotContain("pip:").doesNotContain("gitpkg").doesNotContain("tinypkg")
                .contains("  - pip=24.0=pyhd8ed1ab_0\n").contains("  - nodefaults\n")
                .isEqualTo(lock.substring(0, lock.indexOf("  - pip:\n")));
        assertThat(io.powerai.core.python.CondaEnvironment.withoutPip(withoutPip)).isEqualTo(withoutPip);
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
