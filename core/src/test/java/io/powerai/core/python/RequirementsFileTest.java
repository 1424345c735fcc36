package io.powerai.core.python;

import io.powerai.core.json.Digests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** pip's requirements-file format, as pip reads it; every problem collected with its file and line. */
class RequirementsFileTest {
    private static final String H1 = "a".repeat(64);
    private static final String H2 = "b".repeat(64);

    @TempDir
    Path project;

    private Path write(String name, String content) throws IOException {
        Path file = project.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private RequirementsFile.Result parse(String name) {
        return RequirementsFile.parse(project.resolve(name), project);
    }

    private static List<String> errors(RequirementsFile.Result r) {
        return r.errors().stream().map(RequirementsFile.Issue::describe).toList();
    }

    @Test
    void parse_commentsContinuationsAndHashes() throws IOException {
        write("requirements.txt", """
                # a comment line
                numpy==1.26.4 \\
                    --hash=sha256:%s \\
                    --hash=sha256:%s  # trailing comment
                Scikit_Learn >= 1.2, < 2 ; python_version >= "3.9"

                requests[socks]==2.31.0 --hash sha256:%s
                """.formatted(H1, H2, H1));

        RequirementsFile.Result r = parse("requirements.txt");

        // pip would refuse the unhashed range in hash-checking mode: said now, with its line.
        assertThat(errors(r)).singleElement().satisfies(e -> assertThat(e).startsWith("requirements.txt line 5: in hash-checking mode"));
        assertThat(r.requirements()).extracting(RequirementsFile.Line::name).containsExactly("numpy", "scikit-learn", "requests");
        RequirementsFile.Line numpy = r.requirements().get(0);
        assertThat(numpy.number()).isEqualTo(2);
        assertThat(numpy.hashes()).containsExactly("sha256:" + H1, "sha256:" + H2);
        assertThat(numpy.requirement().isPinned()).isTrue();
        assertThat(r.requirements().get(1).target()).isEqualTo("scikit-learn<2,>=1.2; python_version >= \"3.9\"");
        assertThat(r.requirements().get(1).number()).isEqualTo(5);
        assertThat(r.requirements().get(2).target()).isEqualTo("requests[socks]==2.31.0");
        assertThat(r.files()).containsOnlyKeys("requirements.txt");
    }

    @Test
    void parse_includesAreRelativeToTheIncludingFile_andConstraintsKeptApart() throws IOException {
        write("requirements.txt", "-r reqs/base.txt\n--constraint=reqs/constraints.txt\nflask>=2\n");
        write("reqs/base.txt", "--index-url http://127.0.0.1:8080/simple/\n-r more.txt\nnumpy==1.26.4\n");
        write("reqs/more.txt", "--extra-index-url=https://example.org/simple\npandas==2.2.0\n");
        write("reqs/constraints.txt", "numpy==1.26.4\nurllib3<2\n");

        RequirementsFile.Result r = parse("requirements.txt");

        assertThat(errors(r)).isEmpty();
        assertThat(r.requirements()).extracting(RequirementsFile.Line::name).containsExactly("pandas", "numpy", "flask");
        assertThat(r.requirements().get(0).location()).isEqualTo("reqs/more.txt line 2");
        assertThat(r.constraints()).extracting(RequirementsFile.Line::name).containsExactly("numpy", "urllib3");
        assertThat(r.options()).containsExactly("--index-url http://127.0.0.1:8080/simple/",
                "--extra-index-url https://example.org/simple");
        assertThat(r.files()).containsOnlyKeys("requirements.txt", "reqs/base.txt", "reqs/more.txt", "reqs/constraints.txt");
        assertThat(r.files().get("reqs/more.txt")).isEqualTo(Digests.sha256(project.resolve("reqs/more.txt")));
    }

    @Test
    void parse_renderFlattened_holdsEveryRequirementAfterTheOptions() throws IOException {
        write("requirements.txt", "-i http://127.0.0.1:9/simple\n-r b.txt\nnumpy==1.26.4 --hash=sha256:" + H1 + "\n");
        write("b.txt", "pandas==2.2.0 --hash=sha256:" + H2 + "\n");

        String flat = parse("requirements.txt").renderFlattened("# flat\n", Map.of());

        assertThat(flat).isEqualTo("# flat\n--index-url http://127.0.0.1:9/simple\npandas==2.2.0 \\\n    --hash=sha256:" + H2
                + "\nnumpy==1.26.4 \\\n    --hash=sha256:" + H1 + "\n");
    }

    @Test
    void parse_includeCycle_isOneClearError() throws IOException {
        write("requirements.txt", "-r a.txt\n");
        write("a.txt", "numpy==1.0\n-r b.txt\n");
        write("b.txt", "-r a.txt\n");

        assertThat(errors(parse("requirements.txt")))
                .containsExactly("b.txt line 1: include cycle: requirements.txt -> a.txt -> b.txt -> a.txt (remove one of the -r/-c lines)");
    }

    @Test
    void parse_missingInclude_namesTheIncludingLine() throws IOException {
        write("requirements.txt", "numpy==1.0\n\n-r base.txt\n");

        assertThat(errors(parse("requirements.txt"))).containsExactly(
                "requirements.txt line 3: the included file does not exist (paths are relative to the including file); got 'base.txt'");
    }

    @Test
    void parse_includeOutsideTheProjectOrByUrl_isRefused() throws IOException {
        write("requirements.txt", "-r ../outside.txt\n-r https://example.org/r.txt\n");

        assertThat(errors(parse("requirements.txt"))).hasSize(2)
                .anySatisfy(e -> assertThat(e).startsWith("requirements.txt line 1: an included file must stay inside the project"))
                .anySatisfy(e -> assertThat(e).startsWith("requirements.txt line 2: --requirement must name a file in the project, not a URL"));
    }

    @Test
    void parse_conflictingPinsAcrossFiles_isAnErrorNamingBoth() throws IOException {
        write("requirements.txt", "numpy==1.26.4\n-r other.txt\n-c constraints.txt\nscipy==1.11\n");
        write("other.txt", "NumPy==1.26.3\nscipy==1.11.0\n");
        write("constraints.txt", "numpy==1.26.4\n");

        assertThat(errors(parse("requirements.txt"))).containsExactly(
                "other.txt line 1: conflicting pins: numpy is pinned to 1.26.3 here and to 1.26.4 at requirements.txt line 1;"
                        + " pin it to one version; got 'NumPy==1.26.3'");
    }

    @Test
    void parse_samePinUnderDifferentMarkers_isNotAConflict() throws IOException {
        write("requirements.txt", "numpy==1.24.4; python_version < '3.9'\nnumpy==1.26.4; python_version >= '3.9'\n");

        assertThat(errors(parse("requirements.txt"))).isEmpty();
    }

    @Test
    void parse_editableVcsUrlAndPath_areKeptWithTheirKind() throws IOException {
        Files.createDirectories(project.resolve("mypkg"));
        write("mypkg/setup.py", "");
        write("dist/tiny-1.0-py3-none-any.whl", "wheel bytes");
        write("requirements.txt", """
                -e ./mypkg
                git+https://github.com/org/repo.git@v1.0#egg=repo
                tool @ https://example.org/tool-1.0.tar.gz
                hashed @ https://example.org/hashed-1.0.tar.gz#sha256=%s
                ./dist/tiny-1.0-py3-none-any.whl
                -e git+https://github.com/org/other.git#egg=other
                """.formatted(H1));

        RequirementsFile.Result r = parse("requirements.txt");

        assertThat(errors(r)).isEmpty();
        assertThat(r.requirements()).extracting(RequirementsFile.Line::kind).containsExactly(
                RequirementsFile.Kind.EDITABLE, RequirementsFile.Kind.VCS, RequirementsFile.Kind.URL, RequirementsFile.Kind.URL,
                RequirementsFile.Kind.PATH, RequirementsFile.Kind.EDITABLE);
        assertThat(r.requirements()).extracting(RequirementsFile.Line::notReproducible).satisfiesExactly(
                reason -> assertThat(reason).contains("editable"),
                reason -> assertThat(reason).contains("VCS"),
                reason -> assertThat(reason).contains("URL requirement without a hash"),
                reason -> assertThat(reason).isNull(),
                reason -> assertThat(reason).isNull(),
                reason -> assertThat(reason).contains("editable"));
        assertThat(r.requirements().get(1).name()).isEqualTo("repo");
        assertThat(r.files()).containsKeys("mypkg/", "dist/tiny-1.0-py3-none-any.whl");
    }

    @Test
    void parse_badLines_eachGetItsOwnError() throws IOException {
        write("requirements.txt", """
                numpy==1.x
                pandas; python_versoin < '3'
                scipy==1.0 --hash=md5:abc
                --no-such-option
                requests==2.0 --install-option=x
                ./missing-dir
                """);

        assertThat(errors(parse("requirements.txt"))).satisfiesExactly(
                e -> assertThat(e).startsWith("requirements.txt line 1: must be a PEP 508 requirement:").contains("'1.x' is not a PEP 440 version"),
                e -> assertThat(e).startsWith("requirements.txt line 2: must be a PEP 508 requirement:").contains("unknown marker variable 'python_versoin'"),
                e -> assertThat(e).startsWith("requirements.txt line 3: --hash must be sha256:"),
                e -> assertThat(e).startsWith("requirements.txt line 4: unknown option '--no-such-option'"),
                e -> assertThat(e).startsWith("requirements.txt line 5: '--install-option=x' is not an option a requirement line takes"),
                e -> assertThat(e).startsWith("requirements.txt line 6: the local path missing-dir does not exist"));
    }

    @Test
    void parse_hashModeWithAnUnhashedOrUnpinnedRequirement_isAnError() throws IOException {
        write("requirements.txt", "numpy==1.26.4 --hash=sha256:" + H1 + "\npandas==2.2.0\nscipy>=1.0 --hash=sha256:" + H2 + "\n");

        assertThat(errors(parse("requirements.txt"))).hasSize(2)
                .allSatisfy(e -> assertThat(e).contains("in hash-checking mode"))
                .anySatisfy(e -> assertThat(e).startsWith("requirements.txt line 2"))
                .anySatisfy(e -> assertThat(e).startsWith("requirements.txt line 3"));
    }

    @Test
    void parse_editableInAConstraintsFile_isRefused() throws IOException {
        write("requirements.txt", "-c c.txt\n");
        write("c.txt", "-e ./x\nhttps://example.org/a.whl\n");

        assertThat(errors(parse("requirements.txt"))).hasSize(2)
                .anySatisfy(e -> assertThat(e).startsWith("c.txt line 1: a constraints file cannot hold editable requirements"))
                .anySatisfy(e -> assertThat(e).startsWith("c.txt line 2: a constraint must name a project"));
    }

    @Test
    void parse_trustedHost_isAWarning() throws IOException {
        write("requirements.txt", "--trusted-host pypi.internal\nnumpy==1.0\n");

        RequirementsFile.Result r = parse("requirements.txt");

        assertThat(errors(r)).isEmpty();
        assertThat(r.warnings()).singleElement().satisfies(w -> assertThat(w.describe()).contains("turns off TLS certificate checks"));
    }

    @Test
    void parse_missingTopFile_isAnError() {
        assertThat(errors(parse("nope.txt"))).containsExactly("nope.txt: the requirements file does not exist");
    }

    @Test
    void parseLines_condaPipSection_resolvesRelativeToTheEnvironmentFile() throws IOException {
        write("env/extra.txt", "pandas==2.2.0\n");

        RequirementsFile.Result r = RequirementsFile.parseLines("env/environment.yml pip:", List.of("numpy==1.26.4", "-r extra.txt"),
                project.resolve("env"), project);

        assertThat(errors(r)).isEmpty();
        assertThat(r.requirements()).extracting(RequirementsFile.Line::name).containsExactly("numpy", "pandas");
        assertThat(r.requirements().get(0).location()).isEqualTo("env/environment.yml pip: line 1");
    }
}
