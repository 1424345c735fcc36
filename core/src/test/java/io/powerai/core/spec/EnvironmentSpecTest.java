package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The corpus of bad environment inputs: each gives its own one-line error (naming amlEnvSnapshot, the field, the
 * value and the rule) or warning, and every problem of every file is reported at once.
 */
class EnvironmentSpecTest {
    private static final String BASE = "127.0.0.1:5000/powerai/python-ml:bookworm";
    private static final String H = "c".repeat(64);

    @TempDir
    Path project;

    private void write(String name, String content) throws IOException {
        Path file = project.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private EnvironmentSpec read(String environmentYaml) throws IOException {
        write("powerai.yaml", "name: demo\nenvironment:\n" + environmentYaml.stripIndent().indent(2));
        return PipelineSpec.read(project.resolve("powerai.yaml"), null).environment();
    }

    /** The lines of the InvalidInput that reading the environment throws. */
    private List<String> problems(String environmentYaml) throws IOException {
        write("powerai.yaml", "name: demo\nenvironment:\n" + environmentYaml.stripIndent().indent(2));
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class,
                () -> PipelineSpec.read(project.resolve("powerai.yaml"), null));
        assertThat(e).as("reading the spec must fail with InvalidInput").isNotNull();
        List<String> lines = e.getMessage().lines().toList();
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("amlEnvSnapshot: "));
        return lines;
    }

    @Test
    void validSpec_everyNewKey_isRead() throws IOException {
        write("requirements.txt", "numpy==1.26.4\n");
        write("environment.yml", "name: demo\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - pandas==2.2.0\n");

        EnvironmentSpec env = read("""
                base_image: %s
                pip_requirements: requirements.txt
                conda_file: environment.yml
                strict: true
                cuda: "12.1"
                cudnn: "8.9"
                """.formatted(BASE));

        assertThat(env.strict()).isTrue();
        assertThat(env.cuda()).isEqualTo("12.1");
        assertThat(env.cudnn()).isEqualTo("8.9");
        assertThat(env.pip().requirements()).hasSize(1);
        assertThat(env.conda().dependencies()).extracting(d -> d.name()).containsExactly("python", "pip");
        assertThat(env.conda().pip().requirements()).hasSize(1);
        assertThat(env.inputFiles()).containsOnlyKeys("requirements.txt", "environment.yml");
        assertThat(env.warnings()).isEmpty();
    }

    @Test
    void unknownKey_listsTheValidOnes() throws IOException {
        assertThat(problems("base_image: " + BASE + "\npip_requirement: requirements.txt\n")).containsExactly(
                "amlEnvSnapshot: unknown parameter 'pip_requirement'. Valid parameters: apt_packages, base_image, capture_from,"
                        + " conda_file, cuda, cudnn, env, pip_requirements, strict");
    }

    @Test
    void conflictingPins_oneLineNamingBothPlaces() throws IOException {
        write("requirements.txt", "numpy==1.26.4\n-r more.txt\n");
        write("more.txt", "numpy==1.26.3\n");

        assertThat(problems("base_image: " + BASE + "\npip_requirements: requirements.txt\n")).containsExactly(
                "amlEnvSnapshot: 'pip_requirements' more.txt line 1: conflicting pins: numpy is pinned to 1.26.3 here and to"
                        + " 1.26.4 at requirements.txt line 1; pin it to one version; got 'numpy==1.26.3'");
    }

    @Test
    void invalidVersionAndMarker_eachItsOwnLine() throws IOException {
        write("requirements.txt", "numpy==1.26.x\npandas==2.2.0; python_versoin >= '3.9'\n");

        assertThat(problems("base_image: " + BASE + "\npip_requirements: requirements.txt\n")).satisfiesExactly(
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'pip_requirements' requirements.txt line 1: must be a PEP 508 requirement")
                        .contains("'1.26.x' is not a PEP 440 version").endsWith("got 'numpy==1.26.x'"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'pip_requirements' requirements.txt line 2: must be a PEP 508 requirement")
                        .contains("unknown marker variable 'python_versoin'"));
    }

    @Test
    void editableVcsAndUrl_areWarnings() throws IOException {
        Files.createDirectories(project.resolve("mypkg"));
        write("requirements.txt", "-e ./mypkg\ngit+https://example.org/repo.git#egg=repo\ntool @ https://example.org/tool-1.0.tar.gz\n");

        EnvironmentSpec env = read("base_image: " + BASE + "\npip_requirements: requirements.txt\n");

        assertThat(env.warnings()).satisfiesExactly(
                w -> assertThat(w).startsWith("'pip_requirements' requirements.txt line 1: not reproducible: an editable requirement")
                        .contains("set strict: true to refuse").endsWith("got '-e ./mypkg'"),
                w -> assertThat(w).startsWith("'pip_requirements' requirements.txt line 2: not reproducible: a VCS requirement"),
                w -> assertThat(w).startsWith("'pip_requirements' requirements.txt line 3: not reproducible: a URL requirement without a hash"));
        assertThat(env.warnings()).allSatisfy(w -> assertThat(w).doesNotContain("\n"));
    }

    @Test
    void editableVcsAndUrl_underStrict_areErrors() throws IOException {
        Files.createDirectories(project.resolve("mypkg"));
        write("requirements.txt", "-e ./mypkg\ngit+https://example.org/repo.git#egg=repo\ntool @ https://example.org/tool-1.0.tar.gz\n");

        assertThat(problems("base_image: " + BASE + "\npip_requirements: requirements.txt\nstrict: true\n")).satisfiesExactly(
                l -> assertThat(l).isEqualTo("amlEnvSnapshot: 'pip_requirements' requirements.txt line 1: not allowed with strict: true,"
                        + " because an editable requirement installs whatever the source holds at build time; got '-e ./mypkg'"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'pip_requirements' requirements.txt line 2: not allowed with strict: true"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'pip_requirements' requirements.txt line 3: not allowed with strict: true"));
    }

    @Test
    void missingInclude_namesTheLine() throws IOException {
        write("requirements.txt", "numpy==1.26.4\n-r base.txt\n");

        assertThat(problems("base_image: " + BASE + "\npip_requirements: requirements.txt\n")).containsExactly(
                "amlEnvSnapshot: 'pip_requirements' requirements.txt line 2: the included file does not exist"
                        + " (paths are relative to the including file); got 'base.txt'");
    }

    @Test
    void includeCycle_showsTheChain() throws IOException {
        write("requirements.txt", "-r a.txt\n");
        write("a.txt", "-r requirements.txt\n");

        assertThat(problems("base_image: " + BASE + "\npip_requirements: requirements.txt\n")).containsExactly(
                "amlEnvSnapshot: 'pip_requirements' a.txt line 1: include cycle: requirements.txt -> a.txt -> requirements.txt"
                        + " (remove one of the -r/-c lines)");
    }

    @Test
    void unpinnedBase_isAWarning_aTagIsNot() throws IOException {
        assertThat(read("base_image: 127.0.0.1:5000/powerai/python-ml\n").warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("base image 127.0.0.1:5000/powerai/python-ml is not pinned (tag 'latest')"));
        assertThat(read("base_image: 127.0.0.1:5000/powerai/python-ml:latest\n").warnings()).hasSize(1);
        assertThat(read("base_image: " + BASE + "\n").warnings()).isEmpty();
    }

    @Test
    void malformedCondaYaml_saysWhere() throws IOException {
        write("environment.yml", "name: demo\ndependencies: [numpy\n");

        assertThat(problems("base_image: " + BASE + "\nconda_file: environment.yml\n")).singleElement()
                .satisfies(l -> assertThat(l).startsWith("amlEnvSnapshot: 'conda_file' environment.yml line ").contains("invalid YAML"));
    }

    @Test
    void condaFile_unknownKeysBadSpecsAndPipWithoutPip_allReported() throws IOException {
        write("environment.yml", """
                name: demo
                channel: [conda-forge]
                prefix: /home/me/miniconda3/envs/demo
                dependencies:
                  - numpy>=1.20,<2
                  - scipy==1.x y z
                  - numpy@1.0
                  - pip:
                    - pandas==2.2.0
                """);

        assertThat(problems("base_image: " + BASE + "\nconda_file: environment.yml\n")).satisfiesExactlyInAnyOrder(
                l -> assertThat(l).isEqualTo("amlEnvSnapshot: 'conda_file' environment.yml: unknown key 'channel'. Valid keys:"
                        + " channels, dependencies, name, prefix, variables"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'conda_file' environment.yml: 'prefix' names a path"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'conda_file' environment.yml: dependency 2 '==1.x y z' is not a conda"
                        + " version constraint").endsWith("got 'scipy==1.x y z'"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'conda_file' environment.yml: dependency 3 the name may hold only")
                        .endsWith("got 'numpy@1.0'"),
                l -> assertThat(l).startsWith("amlEnvSnapshot: 'conda_file' environment.yml: a 'pip:' list needs 'pip' among the dependencies"));
    }

    @Test
    void badScalars_cudaCudnnStrictAndCaptureFrom() throws IOException {
        assertThat(problems("""
                base_image: %s
                cuda: twelve
                cudnn: "8.x"
                strict: "yes"
                capture_from: Not/An:Image:Ref
                """.formatted(BASE))).containsExactlyInAnyOrder(
                "amlEnvSnapshot: 'cuda' must be a CUDA version like 12.1 or 11.8.0; got 'twelve'",
                "amlEnvSnapshot: 'cudnn' must be a cuDNN version like 8.9 or 9.1.0; got '8.x'",
                "amlEnvSnapshot: 'strict' must be true or false; got 'yes'",
                "amlEnvSnapshot: 'capture_from' must be an image reference [registry/]name[:tag][@sha256:digest]: the repository"
                        + " component 'Not' must be lowercase letters and digits, separated by '.', '_', '__' or '-'; got 'Not/An:Image:Ref'");
    }

    @Test
    void captureFromWithCondaFile_isRefused() throws IOException {
        write("environment.yml", "dependencies: [python=3.11]\n");

        assertThat(problems("base_image: " + BASE + "\nconda_file: environment.yml\ncapture_from: 127.0.0.1:5000/lab/experiment:1\n"))
                .containsExactly("amlEnvSnapshot: 'capture_from' cannot be combined with 'conda_file' (the captured image's packages are"
                        + " the environment); remove one of them; got '127.0.0.1:5000/lab/experiment:1'");
    }

    @Test
    void hashModeWithAnUnhashedLine_isAnErrorBeforeAnythingRuns() throws IOException {
        write("requirements.txt", "numpy==1.26.4 --hash=sha256:" + H + "\npandas==2.2.0\n");

        assertThat(problems("base_image: " + BASE + "\npip_requirements: requirements.txt\n")).singleElement()
                .satisfies(l -> assertThat(l).startsWith("amlEnvSnapshot: 'pip_requirements' requirements.txt line 2: in hash-checking mode"));
    }

    @Test
    void everyProblemOfEveryFile_atOnce() throws IOException {
        write("requirements.txt", "numpy==1.x\n-r missing.txt\n");
        write("environment.yml", "dependencies: [numpy, 'bad!']\nchanels: []\n");

        List<String> lines = problems("base_image: ''\npip_requirements: requirements.txt\nconda_file: environment.yml\ncuda: x\n");

        assertThat(lines).hasSize(6);
    }
}
