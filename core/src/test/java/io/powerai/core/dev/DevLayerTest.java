package io.powerai.core.dev;

import io.powerai.core.Golden;
import io.powerai.core.PowerAiException;
import io.powerai.core.snapshot.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevLayerTest {
    static final String ID = "ab".repeat(32);
    static final String IMAGE = "127.0.0.1:5000/demo-env:" + ID + "@sha256:" + "cd".repeat(32);
    static final String MIRROR = "http://mirror.example/debian";

    static Manifest manifest(Map<String, String> os, List<Manifest.Package> packages) {
        return new Manifest(ID, "127.0.0.1:5000/demo-env:" + ID, "sha256:" + "cd".repeat(32), "base", "sha256:" + "ef".repeat(32),
                new TreeMap<>(os), "3.11.2", "CPython", null, null, new TreeMap<>(), new TreeMap<>(), null, List.of(), packages);
    }

    static Manifest.Package pkg(String source, String name) {
        return new Manifest.Package(name, "1", source, null, null, null, "base", null, null);
    }

    static final Map<String, String> DEBIAN = Map.of("ID", "debian", "VERSION_CODENAME", "bookworm");

    @Test
    void debianWithoutPip_aptFromTheHostsMirror_addsPip() {
        DevLayer.Plan plan = DevLayer.plan("demo", IMAGE, manifest(DEBIAN, List.of(pkg("apt", "python3"))), MIRROR);
        assertThat(plan.installer()).isEqualTo(DevLayer.Installer.APT);
        assertThat(plan.addsPip()).isTrue();
        assertThat(plan.tag()).startsWith("localhost/powerai-dev/demo:" + ID.substring(0, 12) + "-");
        Golden.assertMatches(DevLayerTest.class, "debian-host-mirror", "Dockerfile", plan.dockerfile());
    }

    @Test
    void debianWithPip_noHostMirror_usesTheImagesSources() {
        DevLayer.Plan plan = DevLayer.plan("demo", IMAGE, manifest(DEBIAN, List.of(pkg("pip", "pip"))), null);
        assertThat(plan.addsPip()).isFalse();
        Golden.assertMatches(DevLayerTest.class, "debian-image-sources", "Dockerfile", plan.dockerfile());
    }

    @Test
    void ubuntu_keepsItsOwnSources_evenWithADebianHost() {
        DevLayer.Plan plan = DevLayer.plan("demo", IMAGE, manifest(Map.of("ID", "ubuntu", "ID_LIKE", "debian",
                "VERSION_CODENAME", "jammy"), List.of(pkg("apt", "python3-pip"))), MIRROR);
        assertThat(plan.installer()).isEqualTo(DevLayer.Installer.APT);
        assertThat(plan.dockerfile()).doesNotContain(MIRROR).contains("apt-get update");
    }

    @Test
    void otherDistributionWithPip_pip() {
        DevLayer.Plan plan = DevLayer.plan("demo", IMAGE, manifest(Map.of("ID", "alpine"), List.of(pkg("pip", "pip"))), MIRROR);
        assertThat(plan.installer()).isEqualTo(DevLayer.Installer.PIP);
        Golden.assertMatches(DevLayerTest.class, "pip", "Dockerfile", plan.dockerfile());
    }

    @Test
    void neitherAptNorPip_cannotGetJupyter() {
        assertThatThrownBy(() -> DevLayer.plan("demo", IMAGE, manifest(Map.of("ID", "alpine"), List.of()), MIRROR))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("dev"))
                        .contains("dev: the snapshot image " + IMAGE + " cannot get Jupyter"));
    }

    @Test
    void aMirrorThatIsNotAPlainUri_isNotWrittenIntoTheDockerfile() {
        DevLayer.Plan plan = DevLayer.plan("demo", IMAGE, manifest(DEBIAN, List.of()), "http://x/debian' && curl evil #");
        assertThat(plan.dockerfile()).doesNotContain("evil").doesNotContain("powerai-dev.list");
    }

    @Test
    void sameSnapshot_sameTag_otherSnapshot_otherTag() {
        Manifest m = manifest(DEBIAN, List.of());
        assertThat(DevLayer.plan("demo", IMAGE, m, MIRROR).tag()).isEqualTo(DevLayer.plan("demo", IMAGE, m, MIRROR).tag());
        assertThat(DevLayer.plan("demo", IMAGE.replace("@sha256:cd", "@sha256:ce"), m, MIRROR).tag())
                .isNotEqualTo(DevLayer.plan("demo", IMAGE, m, MIRROR).tag());
    }

    @Test
    void hostMirror_fromDeb822_elseSourcesList(@TempDir Path etc) throws Exception {
        assertThat(DevLayer.hostDebianMirror(etc)).isEmpty();
        Files.writeString(etc.resolve("sources.list"), "# comment\ndeb http://security.example/debian-security bookworm-security main\n"
                + "deb [arch=amd64] http://list.example/debian bookworm main\n");
        assertThat(DevLayer.hostDebianMirror(etc)).contains("http://list.example/debian");
        Files.createDirectories(etc.resolve("sources.list.d"));
        Files.writeString(etc.resolve("sources.list.d/debian.sources"), "Types: deb\nURIs: http://deb822.example/debian\n"
                + "Suites: bookworm\nComponents: main\n");
        assertThat(DevLayer.hostDebianMirror(etc)).contains("http://deb822.example/debian");
    }
}
