package io.powerai.core.stage.environment;

import io.powerai.core.Golden;
import io.powerai.core.image.ImageReference;
import io.powerai.core.json.Digests;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.PipelineSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: src/test/resources/io/powerai/core/stage/environment/EnvironmentSnapshotTest/*.expected.Dockerfile
 * ({@code -Dpowerai.updateGolden=true} rewrites them; review the diff before committing).
 */
class EnvironmentSnapshotTest {
    private static final ImageReference BASE = ImageReference.parse("127.0.0.1:5000/powerai/python-ml:bookworm");
    private static final ImageReference PINNED_BASE = BASE.pinned("sha256:" + "1f".repeat(32));
    private static final Map<String, String> ENV = Map.of(
            "OMP_NUM_THREADS", "1",
            "GREETING", "say \"hi\"",
            "WIN_PATH", "C:\\tools\\bin",
            "PRICE", "$HOME costs ${EUR}5");

    @TempDir
    Path project;

    private Path requirements;

    @BeforeEach
    void writeRequirements() throws IOException {
        requirements = project.resolve("requirements.txt");
        Files.writeString(requirements, "scikit-learn==1.5.2\nnumpy==2.1.3\n");
    }

    private EnvironmentSpec spec(List<String> apt, Map<String, String> env, boolean pip) {
        return new EnvironmentSpec(BASE, pip ? requirements : null, apt, new TreeMap<>(env));
    }

    private Map<String, String> inputFiles() {
        return Map.of("requirements.txt", Digests.sha256(requirements));
    }

    private String id(EnvironmentSpec spec, ImageReference pinnedBase) {
        return SnapshotIdentity.snapshotId(spec, pinnedBase, spec.pipRequirements() == null ? Map.of() : inputFiles());
    }

    private EnvironmentSpec full() {
        return spec(List.of("libgomp1", "curl"), ENV, true);
    }

    @Test
    void snapshotId_sameInputsTwice_isTheSame() {
        String first = id(full(), PINNED_BASE);
        String second = id(full(), PINNED_BASE);

        assertThat(first).isEqualTo(second).matches("[0-9a-f]{64}");
    }

    @Test
    void snapshotId_aptPackagesInAnotherOrder_isTheSame() {
        assertThat(id(spec(List.of("curl", "libgomp1"), ENV, true), PINNED_BASE)).isEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void snapshotId_envMapInAnotherInsertionOrder_isTheSame() {
        Map<String, String> reversed = new LinkedHashMap<>();
        new TreeMap<>(ENV).descendingMap().forEach(reversed::put);
        EnvironmentSpec spec = new EnvironmentSpec(BASE, requirements, List.of("libgomp1", "curl"), new TreeMap<>(reversed));

        assertThat(id(spec, PINNED_BASE)).isEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void snapshotId_oneByteOfTheRequirementsChanged_differs() throws IOException {
        String before = id(full(), PINNED_BASE);
        Files.writeString(requirements, "scikit-learn==1.5.3\nnumpy==2.1.3\n");

        assertThat(id(full(), PINNED_BASE)).isNotEqualTo(before);
    }

    @Test
    void snapshotId_anEnvValueChanged_differs() {
        Map<String, String> env = new TreeMap<>(ENV);
        env.put("OMP_NUM_THREADS", "2");

        assertThat(id(spec(List.of("libgomp1", "curl"), env, true), PINNED_BASE)).isNotEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void snapshotId_anEnvNameChanged_differs() {
        Map<String, String> env = new TreeMap<>(ENV);
        env.put("OMP_NUM_THREADs", env.remove("OMP_NUM_THREADS"));

        assertThat(id(spec(List.of("libgomp1", "curl"), env, true), PINNED_BASE)).isNotEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void snapshotId_baseDigestChanged_differs() {
        ImageReference otherBase = BASE.pinned("sha256:" + "1f".repeat(31) + "1e");

        assertThat(id(full(), otherBase)).isNotEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void snapshotId_anAptPackageChangedAddedOrRemoved_differs() {
        String id = id(full(), PINNED_BASE);

        assertThat(id(spec(List.of("libgomp1", "curl=7.88.1"), ENV, true), PINNED_BASE)).isNotEqualTo(id);
        assertThat(id(spec(List.of("libgomp1", "curl", "git"), ENV, true), PINNED_BASE)).isNotEqualTo(id);
        assertThat(id(spec(List.of("libgomp1"), ENV, true), PINNED_BASE)).isNotEqualTo(id);
    }

    @Test
    void snapshotId_withoutTheRequirementsFile_differs() {
        assertThat(id(spec(List.of("libgomp1", "curl"), ENV, false), PINNED_BASE)).isNotEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void snapshotId_doesNotDependOnWhereTheProjectLives() throws IOException {
        Path elsewhere = Files.createDirectories(project.resolve("elsewhere")).resolve("requirements.txt");
        Files.copy(requirements, elsewhere);
        EnvironmentSpec moved = new EnvironmentSpec(BASE, elsewhere, List.of("libgomp1", "curl"), new TreeMap<>(ENV));

        assertThat(SnapshotIdentity.snapshotId(moved, PINNED_BASE, Map.of("requirements.txt", Digests.sha256(elsewhere))))
                .isEqualTo(id(full(), PINNED_BASE));
    }

    @Test
    void renderDockerfile_baseOnly_matchesGolden() {
        EnvironmentSpec spec = spec(List.of(), Map.of(), false);

        String dockerfile = SnapshotDockerfile.render("svm-moons", spec, BASE, PINNED_BASE, id(spec, PINNED_BASE));

        Golden.assertMatches(EnvironmentSnapshotTest.class, "base-only", "Dockerfile", dockerfile);
        assertThat(dockerfile).doesNotContain("ENV").doesNotContain("RUN").doesNotContain("COPY");
    }

    @Test
    void renderDockerfile_envAptAndPip_matchesGolden() {
        EnvironmentSpec spec = full();

        String dockerfile = SnapshotDockerfile.render("svm-moons", spec, BASE, PINNED_BASE, id(spec, PINNED_BASE));

        Golden.assertMatches(EnvironmentSnapshotTest.class, "env-apt-pip", "Dockerfile", dockerfile);
        assertThat(dockerfile)
                .contains("GREETING=\"say \\\"hi\\\"\"")
                .contains("WIN_PATH=\"C:\\\\tools\\\\bin\"")
                .contains("PRICE=\"\\$HOME costs \\${EUR}5\"")
                .contains("FROM " + PINNED_BASE + "\n");
    }

    @Test
    void renderDockerfile_twice_givesIdenticalBytes() {
        EnvironmentSpec spec = full();
        String id = id(spec, PINNED_BASE);

        String first = SnapshotDockerfile.render("svm-moons", spec, BASE, PINNED_BASE, id);
        String second = SnapshotDockerfile.render("svm-moons", full(), BASE, PINNED_BASE, id);

        assertThat(second.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(first.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void renderDockerfile_aptPackagesInAnotherOrder_givesIdenticalBytes() {
        EnvironmentSpec reordered = spec(List.of("curl", "libgomp1"), ENV, true);
        String id = id(full(), PINNED_BASE);

        assertThat(SnapshotDockerfile.render("svm-moons", reordered, BASE, PINNED_BASE, id))
                .isEqualTo(SnapshotDockerfile.render("svm-moons", full(), BASE, PINNED_BASE, id));
    }

    @Test
    void renderDockerfile_fromAParsedSpec_isTheSameAsFromTheRecord() throws IOException {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", "svm-moons");
        top.put("environment", Map.of(
                "base_image", BASE.toString(),
                "pip_requirements", "requirements.txt",
                "apt_packages", List.of("libgomp1", "curl"),
                "env", ENV));
        EnvironmentSpec parsed = PipelineSpec.from(top, project, null).environment();
        String id = id(parsed, PINNED_BASE);

        assertThat(id).isEqualTo(id(full(), PINNED_BASE));
        assertThat(SnapshotDockerfile.render("svm-moons", parsed, BASE, PINNED_BASE, id))
                .isEqualTo(SnapshotDockerfile.render("svm-moons", full(), BASE, PINNED_BASE, id));
    }
}
