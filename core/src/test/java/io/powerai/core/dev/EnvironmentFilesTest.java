package io.powerai.core.dev;

import io.powerai.core.python.RequirementsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EnvironmentFilesTest {
    @TempDir
    Path project;

    private String withPins(String text, List<String> pins) throws Exception {
        Path file = project.resolve("requirements.txt");
        Files.writeString(file, text);
        return EnvironmentFiles.withPins(text, "requirements.txt", RequirementsFile.parse(file, project), pins);
    }

    @Test
    void pins_replaceTheLinesOfTheirProject_andTheRestAreAdded() throws Exception {
        String text = "--index-url http://127.0.0.1:1/simple/\n# numerics\nNumPy>=1.20  # any recent\nflask==2.2.2\n";
        assertThat(withPins(text, List.of("numpy==1.24.2", "tinypkg==1.0.0"))).isEqualTo(
                "--index-url http://127.0.0.1:1/simple/\n# numerics\nnumpy==1.24.2\nflask==2.2.2\n" + EnvironmentFiles.HEADER
                        + "\ntinypkg==1.0.0\n");
    }

    @Test
    void capturingTwice_changesNothing() throws Exception {
        String once = withPins("flask==2.2.2\n", List.of("tinypkg==1.0.0"));
        assertThat(withPins(once, List.of("tinypkg==1.0.0"))).isEqualTo(once);
    }

    @Test
    void aProjectPinnedWithHashes_orInAnIncludedFile_isLeftToAPerson() throws Exception {
        assertThat(withPins("tinypkg==0.9 \\\n    --hash=sha256:" + "a".repeat(64) + "\n", List.of("tinypkg==1.0.0"))).isNull();
        Files.writeString(project.resolve("base.txt"), "tinypkg==0.9\n");
        assertThat(withPins("-r base.txt\n", List.of("tinypkg==1.0.0"))).isNull();
    }

    @Test
    void environmentKey_addedToTheSection_restUnchanged() {
        String yaml = "# top comment\nname: demo\nenvironment:   # the EO stage\n  base_image: b:1  # pinned\n\n  env:\n"
                + "    A: \"1\"\ntrain:\n  script: t.py\n";
        assertThat(EnvironmentFiles.withEnvironmentKey(yaml, "pip_requirements", "requirements.txt")).isEqualTo(
                "# top comment\nname: demo\nenvironment:   # the EO stage\n  pip_requirements: \"requirements.txt\"\n"
                        + "  base_image: b:1  # pinned\n\n  env:\n    A: \"1\"\ntrain:\n  script: t.py\n");
    }

    @Test
    void environmentKey_replacesABlockList_atEitherIndent() {
        String yaml = "name: demo\nenvironment:\n    apt_packages:\n    - curl\n    -   git\n    base_image: b:1\n";
        assertThat(EnvironmentFiles.withEnvironmentKey(yaml, "apt_packages", List.of("curl", "python3-pip=23.0.1+dfsg-1")))
                .isEqualTo("name: demo\nenvironment:\n    apt_packages: [\"curl\",\"python3-pip=23.0.1+dfsg-1\"]\n    base_image: b:1\n");
        String nested = "name: demo\nenvironment:\n  apt_packages:\n    - curl  # for downloads\n  base_image: b:1\n";
        assertThat(EnvironmentFiles.withEnvironmentKey(nested, "apt_packages", List.of("curl", "git")))
                .isEqualTo("name: demo\nenvironment:\n  apt_packages: [\"curl\",\"git\"]\n  base_image: b:1\n");
    }

    @Test
    void environmentKey_replacesAFlowValue() {
        String yaml = "name: demo\nenvironment:\n  base_image: b:1\n  apt_packages: [curl]\n";
        assertThat(EnvironmentFiles.withEnvironmentKey(yaml, "apt_packages", List.of("curl", "git")))
                .isEqualTo("name: demo\nenvironment:\n  base_image: b:1\n  apt_packages: [\"curl\",\"git\"]\n");
    }

    @Test
    void shapesItDoesNotUnderstand_areLeftToAPerson() {
        assertThat(EnvironmentFiles.withEnvironmentKey("name: demo\nenvironment: {base_image: b}\n", "apt_packages", List.of("git")))
                .isNull();
        assertThat(EnvironmentFiles.withEnvironmentKey("name: demo\n", "apt_packages", List.of("git"))).isNull();
    }

    @Test
    void pinName_ofBothForms() {
        assertThat(EnvironmentFiles.pinName("Tiny_Pkg==1.0")).isEqualTo("tiny-pkg");
        assertThat(EnvironmentFiles.pinName("tinypkg @ https://x/tinypkg-1.0.whl")).isEqualTo("tinypkg");
    }
}
