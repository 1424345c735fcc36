package io.powerai.core.stage.environment;

import io.powerai.core.Golden;
import io.powerai.core.image.ImageReference;
import io.powerai.core.snapshot.Capture;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.stage.StageContext;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The inputs beyond the walking skeleton's (requirement includes, conda environment files, CUDA labels,
 * capture_from): rendered Dockerfiles as golden files (conda cannot run here), and a snapshot id that changes
 * whenever any input byte does.
 */
class EnvironmentSnapshotInputsTest {
    private static final ImageReference BASE = ImageReference.parse("registry.example/lab/conda:1");
    private static final ImageReference PINNED_BASE = BASE.pinned("sha256:" + "2e".repeat(32));
    private static final String H = "d".repeat(64);

    @TempDir
    Path project;

    @BeforeEach
    void files() throws IOException {
        write("envs/environment.yml", """
                name: demo
                channels: [conda-forge, defaults]
                dependencies:
                  - python=3.11
                  - numpy=1.26.4=py311h64a7726_0
                  - pip
                  - pip:
                    - -r pip-extra.txt
                """);
        write("envs/pip-extra.txt", "tinypkg==1.0.0\n");
        write("reqs/requirements.txt", "-r common.txt\ntinydep==0.1.0 --hash=sha256:" + H + "\n");
        write("reqs/common.txt", "six==1.16.0 --hash=sha256:" + H + "\n");
    }

    private void write(String name, String content) throws IOException {
        Path file = project.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private EnvironmentSpec spec(Map<String, Object> extra) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("base_image", BASE.toString());
        env.put("conda_file", "envs/environment.yml");
        env.put("pip_requirements", "reqs/requirements.txt");
        env.put("cuda", "12.1");
        env.put("cudnn", "8.9");
        env.put("env", Map.of("OMP_NUM_THREADS", "1"));
        env.putAll(extra);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", "demo");
        top.put("environment", env);
        return PipelineSpec.from(top, project, null).environment();
    }

    private String id(EnvironmentSpec env) {
        return SnapshotIdentity.snapshotId(env, PINNED_BASE, env.inputFiles(), env.captureFrom() == null ? null
                : env.captureFrom().pinned("sha256:" + "3f".repeat(32)));
    }

    @Test
    void inputFiles_everyFileAndInclude_byProjectRelativePath() {
        assertThat(spec(Map.of()).inputFiles()).containsOnlyKeys("envs/environment.yml", "envs/pip-extra.txt",
                "reqs/requirements.txt", "reqs/common.txt");
    }

    @Test
    void renderDockerfile_condaPipCuda_matchesGolden() {
        EnvironmentSpec env = spec(Map.of());

        String dockerfile = SnapshotDockerfile.render("demo", env, BASE, PINNED_BASE, id(env));

        Golden.assertMatches(EnvironmentSnapshotInputsTest.class, "conda-pip-cuda", "Dockerfile", dockerfile);
        assertThat(dockerfile).contains("io.powerai.cuda=\"12.1\"").contains("io.powerai.cudnn=\"8.9\"")
                .contains("conda env update --name base --file /opt/powerai/project/envs/environment.yml")
                .contains("cd /opt/powerai/project/reqs").doesNotContain("image.created");
    }

    @Test
    void indexOptions_ofPipRequirementsAndOfTheCondaFilesPipList_forTheRequirementsLock() throws IOException {
        write("envs/environment.yml", """
                channels: [conda-forge]
                dependencies:
                  - pip
                  - pip:
                    - --index-url http://127.0.0.1:8080/simple/
                    - tinypkg==1.0.0
                """);
        write("reqs/requirements.txt", "--extra-index-url http://127.0.0.1:8081/simple/\n--index-url http://127.0.0.1:8080/simple/\n");
        Map<String, Object> condaOnly = new LinkedHashMap<>();
        condaOnly.put("pip_requirements", null);

        assertThat(SnapshotLocks.indexOptions(spec(Map.of()))).containsExactly("--extra-index-url http://127.0.0.1:8081/simple/",
                "--index-url http://127.0.0.1:8080/simple/");
        assertThat(SnapshotLocks.indexOptions(spec(condaOnly))).containsExactly("--index-url http://127.0.0.1:8080/simple/");
    }

    @Test
    void renderDockerfile_withCapturedPins_matchesGolden() {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("conda_file", null);
        extra.put("capture_from", "127.0.0.1:5000/lab/experiment:3");
        extra.put("apt_packages", List.of("curl", "libgomp1=12.2.0-14"));
        EnvironmentSpec env = spec(extra);
        Derived derived = new Derived("127.0.0.1:5000/lab/experiment@sha256:" + "3f".repeat(32),
                List.of("curl=7.88.1-10+deb12u8", "libgomp1=12.2.0-14"), List.of("tinypkg==1.0.0", "tinydep==0.1.0"));

        String dockerfile = SnapshotDockerfile.render("demo", env, derived, BASE, PINNED_BASE, id(env));

        Golden.assertMatches(EnvironmentSnapshotInputsTest.class, "captured", "Dockerfile", dockerfile);
        assertThat(dockerfile).as("the captured pin replaces the unversioned name").contains("curl=7.88.1-10+deb12u8")
                .contains("--requirement /opt/powerai/captured-requirements.txt");
    }

    @Test
    void snapshotId_changesWithAnyInputByte() throws IOException {
        String before = id(spec(Map.of()));

        write("reqs/common.txt", "six==1.16.0 --hash=sha256:" + H + "\n\n");
        String afterInclude = id(spec(Map.of()));
        write("envs/pip-extra.txt", "tinypkg==1.0.1\n");
        String afterCondaPip = id(spec(Map.of()));
        write("envs/environment.yml", Files.readString(project.resolve("envs/environment.yml")).replace("3.11", "3.12"));
        String afterConda = id(spec(Map.of()));

        assertThat(List.of(before, afterInclude, afterCondaPip, afterConda)).doesNotHaveDuplicates();
        assertThat(id(spec(Map.of("cuda", "12.2")))).isNotEqualTo(afterConda);
        assertThat(id(spec(Map.of("cudnn", "9.0")))).isNotEqualTo(afterConda);
        Map<String, Object> capture = new LinkedHashMap<>();
        capture.put("conda_file", null);
        String withoutConda = id(spec(capture));
        capture.put("capture_from", "127.0.0.1:5000/lab/experiment:3");
        assertThat(id(spec(capture))).isNotEqualTo(withoutConda);
        assertThat(id(spec(Map.of()))).as("the same inputs again").isEqualTo(afterConda);
    }

    @Test
    void snapshotId_strictDoesNotChangeTheImage_soNotTheId() {
        assertThat(id(spec(Map.of("strict", true)))).isEqualTo(id(spec(Map.of())));
    }

    @Test
    void writeContext_copiesEveryInputFileAtItsPath() throws IOException {
        EnvironmentSpec env = spec(Map.of());
        Path context = project.resolve(".powerai/environment/context");

        SnapshotContext.write(context, "FROM x\n", env, null);

        assertThat(context.resolve("project/reqs/common.txt")).hasContent(Files.readString(project.resolve("reqs/common.txt")));
        assertThat(context.resolve("project/envs/pip-extra.txt")).exists();
        assertThat(context.resolve("Dockerfile")).hasContent("FROM x");
        try (var files = Files.walk(context)) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(5);
        }
    }

    @Test
    void derive_pinsWhatTheImageHasOverTheBase() throws IOException {
        Capture.Captured image = Capture.parse(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/conda-image.txt")));
        Capture.Captured base = Capture.parse(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/base-image.txt")));

        Derived derived = Derivation.derive("lab@sha256:x", image, base);

        assertThat(derived.apt()).containsExactly("tzdata=2024a-0+deb12u1");
        assertThat(derived.pip()).containsExactly("gitpkg @ git+https://example.org/gitpkg.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1",
                "tiny-dep==0.1.0", "tinypkg==1.0.0");
        // The base has _libgcc_mutex, pip and python at the same version and build: only numpy is new, from its channel
        // only (the image's configured "defaults" would be fetched for nothing, and fail where it cannot be reached).
        assertThat(derived.conda()).containsExactly("https://conda.anaconda.org/conda-forge::numpy=1.26.4=py311h64a7726_0");
        assertThat(derived.condaChannels()).containsExactly("https://conda.anaconda.org/conda-forge");
    }

    @Test
    void derive_condaPackagesOverABaseWithoutConda_isInvalidInput() throws IOException {
        Capture.Captured image = Capture.parse(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/conda-image.txt")));
        List<String> plain = new java.util.ArrayList<>(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/base-image.txt")));
        int from = plain.indexOf("@@powerai:conda");
        int to = plain.indexOf("@@powerai:dpkg");
        plain.subList(from + 1, to).clear(); // a base with no conda: its conda section is empty
        Capture.Captured base = Capture.parse(plain);
        Derived derived = Derivation.derive("lab@sha256:x", image, base);

        assertThatThrownBy(() -> Derivation.requireCondaInBase(derived, base, "debian@sha256:y"))
                .isInstanceOf(io.powerai.core.PowerAiException.InvalidInput.class)
                .hasMessage("amlEnvSnapshot: 'capture_from' lab@sha256:x has 4 conda package(s) over the base, but 'base_image'"
                        + " debian@sha256:y has no conda to install them with; use the conda base the experiment image was made from");
    }

    @Test
    void renderDockerfile_withCapturedCondaPins_matchesGolden() {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("capture_from", "127.0.0.1:5000/lab/conda-experiment:1");
        extra.put("conda_file", null); // capture_from stands for the whole environment: no conda_file beside it
        extra.put("pip_requirements", null);
        EnvironmentSpec env = spec(extra);
        Derived derived = new Derived("127.0.0.1:5000/lab/conda-experiment@sha256:" + "3f".repeat(32),
                List.of(), List.of("tinypkg==1.0.0"), List.of("https://conda.anaconda.org/conda-forge::numpy=1.26.4=py311h64a7726_0",
                        "http://127.0.0.1:8000/lab-channel::tinycondapkg=1.0.0=0"),
                List.of("https://conda.anaconda.org/conda-forge", "http://127.0.0.1:8000/lab-channel"));

        String dockerfile = SnapshotDockerfile.render("demo", env, derived, BASE, PINNED_BASE, id(env));

        Golden.assertMatches(EnvironmentSnapshotInputsTest.class, "captured-conda", "Dockerfile", dockerfile);
    }

    private StageContext contextWithNvidiaSmi(Path nvidiaSmi, List<io.powerai.core.event.Event> events) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("name", "demo");
        top.put("environment", Map.of("base_image", BASE.toString(), "cudnn", "8.9"));
        PipelineSpec pipeline = PipelineSpec.from(top, project, null);
        io.powerai.core.gpu.GpuTools tools = new io.powerai.core.gpu.GpuTools(new io.powerai.core.gpu.NvidiaSmi(nvidiaSmi.toString(),
                new io.powerai.core.process.ProcessRunner()), List.of(), "", java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(30));
        java.time.Clock clock = java.time.Clock.systemUTC();
        return new StageContext(pipeline, new io.powerai.core.workspace.Workspace(project, clock), null, null, events::add, clock, tools);
    }

    @Test
    void recordGpuStack_onAGpuHost_writesTheFingerprintFile_elsewhereRemovesAStaleOne() throws IOException {
        List<io.powerai.core.event.Event> events = new java.util.ArrayList<>();
        Path file = project.resolve(".powerai/environment/gpu-stack.json");
        Files.createDirectories(file.getParent());
        StageContext gpuHost = contextWithNvidiaSmi(io.powerai.core.gpu.GpuFixtures.fakeNvidiaSmi(
                Files.createDirectories(project.resolve("smi")), "h100", "h100/gpu-samples.csv"), events);

        io.powerai.core.gpu.GpuStack stack = GpuStackRecording.record(gpuHost, gpuHost.spec().environment(), file,
                gpuHost.events().forStage("amlEnvSnapshot"));

        assertThat(stack.toJson()).containsEntry("driver", "580.159.04").containsEntry("cudnn", "8.9");
        assertThat(io.powerai.core.json.Json.readObject(file)).containsEntry("fingerprint", stack.fingerprint());
        assertThat(events).anySatisfy(e -> assertThat(e.message()).isEqualTo(
                "GPU stack recorded with the snapshot: driver 580.159.04, CUDA 13.0, 0 (1 x NVIDIA H100 80GB HBM3)"));

        StageContext cpuHost = contextWithNvidiaSmi(project.resolve("no-nvidia-smi"), events);
        assertThat(GpuStackRecording.record(cpuHost, cpuHost.spec().environment(), file,
                cpuHost.events().forStage("amlEnvSnapshot"))).isNull();
        assertThat(file).doesNotExist();
    }

    @Test
    void derive_refusesAFreezeUrlWithACredential_quotingItMasked() throws IOException {
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/conda-image.txt")));
        lines.replaceAll(l -> l.replace("git+https://example.org/", "git+https://ci:hunter2@example.org/"));
        Capture.Captured image = Capture.parse(lines);
        Capture.Captured base = Capture.parse(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/base-image.txt")));

        assertThatThrownBy(() -> Derivation.derive("lab@sha256:x", image, base))
                .isInstanceOf(io.powerai.core.PowerAiException.InvalidInput.class)
                .hasMessageStartingWith("amlEnvSnapshot: 'capture_from' lab@sha256:x: pip freeze names"
                        + " 'git+https://ci:****@example.org/gitpkg.git@3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1', a credential in the URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void conflicts_specPinsAgainstCapturedOnes_oneLineEach() throws IOException {
        write("reqs/requirements.txt", "tinypkg==0.9.0\n");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("conda_file", null);
        extra.put("apt_packages", List.of("tzdata=2023c-5"));
        EnvironmentSpec env = spec(extra);
        Derived derived = new Derived("lab@sha256:x", List.of("tzdata=2024a-0+deb12u1"),
                List.of("tinypkg==1.0.0"));

        assertThat(Derivation.conflicts(env, derived)).containsExactly(
                "amlEnvSnapshot: 'pip_requirements' reqs/requirements.txt line 1: conflicting pins: tinypkg is pinned to 0.9.0 here"
                        + " but lab@sha256:x ('capture_from') has 1.0.0; pin it to one version",
                "amlEnvSnapshot: 'apt_packages' conflicting pins: tzdata is pinned to 2023c-5 but lab@sha256:x ('capture_from') has"
                        + " 2024a-0+deb12u1; pin it to one version; got 'tzdata=2023c-5'");
    }

    @Test
    void verifyDockerfile_installsTheLocksOnTheBaseByDigest_matchesGolden() throws IOException {
        Capture.Captured image = Capture.parse(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/conda-image.txt")));
        Capture.Captured base = Capture.parse(Files.readAllLines(Path.of(
                "src/test/resources/io/powerai/core/snapshot/CaptureTest/base-image.txt")));
        Manifest m = new Manifest("ab".repeat(32), null, null, BASE.toString(), PINNED_BASE.digest().orElseThrow(), image.osRelease(),
                image.pythonVersion(), "CPython", null, null, new TreeMap<>(Map.of("OMP_NUM_THREADS", "1")), new TreeMap<>(),
                image.condaName(), image.condaChannels(), Manifest.packages(image, base));

        String dockerfile = SnapshotVerification.renderDockerfile(m, true, true, true);

        Golden.assertMatches(EnvironmentSnapshotInputsTest.class, "verify", "Dockerfile", dockerfile);
        assertThat(dockerfile).contains("FROM " + PINNED_BASE + "\n").contains("tzdata=2024a-0+deb12u1")
                .contains("--no-deps --require-hashes");
    }
}
