package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai snapshot diff} and {@code verify} on hand-written manifests, and the snapshot's input errors as a
 * user sees them: exit 2, one line per problem, no stack trace.
 */
class SnapshotCommandsTest {
    @TempDir
    Path dir;

    private static String manifest(String baseDigest, String numpy, String extra) {
        return """
                {"schemaVersion": 1, "snapshotId": "%s",
                 "baseImage": {"reference": "127.0.0.1:5000/powerai/python-ml:bookworm", "digest": "%s"},
                 "os": {"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)"}, "python": {"version": "3.11.2"}, "env": {},
                 "packages": [
                   {"name": "numpy", "version": "%s", "source": "pip", "installer": "pip", "layer": "snapshot"},
                   {"name": "libc6", "version": "2.36-9", "source": "apt", "layer": "base"}%s
                 ]}
                """.formatted("ab".repeat(32), baseDigest, numpy, extra);
    }

    private Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    @Test
    void diff_sameManifest_exit0() throws Exception {
        Path a = write("a.json", manifest("sha256:" + "1".repeat(64), "1.26.4", ""));

        CliRun run = CliRun.of("snapshot", "diff", a.toString(), a.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("no differences: 2 packages");
    }

    @Test
    void diff_differentManifests_tableAndExit1() throws Exception {
        Path a = write("a.json", manifest("sha256:" + "1".repeat(64), "1.26.3", ""));
        Path b = write("b.json", manifest("sha256:" + "2".repeat(64), "1.26.4",
                ",\n{\"name\": \"scipy\", \"version\": \"1.11.4\", \"source\": \"pip\"}"));

        CliRun run = CliRun.of("snapshot", "diff", a.toString(), b.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("base image digest: sha256:1111").containsPattern("added\\s+pip\\s+scipy\\s+-\\s+1\\.11\\.4")
                .containsPattern("changed\\s+pip\\s+numpy\\s+1\\.26\\.3\\s+1\\.26\\.4")
                .contains("2 package difference(s): 1 added, 0 removed, 1 changed");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void diff_json_isParseableWithSchemaVersion() throws Exception {
        Path a = write("a.json", manifest("sha256:" + "1".repeat(64), "1.26.3", ""));
        Path b = write("b.json", manifest("sha256:" + "1".repeat(64), "1.26.4", ""));

        CliRun run = CliRun.of("snapshot", "diff", "--json", a.toString(), b.toString());

        var json = Json.parseObject(run.out());
        assertThat(json.get("schemaVersion")).isEqualTo(1);
        assertThat(json.get("identical")).isEqualTo(false);
        assertThat(json.get("changed")).asList().hasSize(1);
    }

    @Test
    void diff_acceptsAResultFileAndAWorkspaceFolder() throws Exception {
        write("proj/.powerai/environment/manifest.json", manifest("sha256:" + "1".repeat(64), "1.26.4", ""));
        Path result = write("proj/.powerai/amlEnvSnapshot.json",
                "{\"schemaVersion\": 1, \"stage\": \"amlEnvSnapshot\", \"status\": \"succeeded\", \"manifest\": \"environment/manifest.json\"}");

        CliRun run = CliRun.of("snapshot", "diff", result.toString(), dir.resolve("proj").toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    @Test
    void diff_notASnapshot_exit2OneLine() throws Exception {
        Path a = write("a.json", manifest("sha256:" + "1".repeat(64), "1.26.4", ""));
        Path junk = write("junk.json", "{\"hello\": 1}");

        CliRun missing = CliRun.of("snapshot", "diff", a.toString(), dir.resolve("nope.json").toString());
        CliRun notManifest = CliRun.of("snapshot", "diff", a.toString(), junk.toString());

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("snapshot diff: 'B' must be a manifest.json").contains("(not found)");
        assertThat(notManifest.exitCode()).isEqualTo(2);
        assertThat(notManifest.err().strip().lines()).hasSize(1);
        assertThat(notManifest.err()).contains("snapshot diff: 'B' must be a snapshot manifest or result").contains("schemaVersion");
    }

    @Test
    void verify_withoutASnapshot_exit2() throws Exception {
        write("powerai.yaml", "name: demo\nenvironment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n");

        CliRun run = CliRun.of("snapshot", "verify", dir.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("amlEnvSnapshot: no snapshot manifest at").contains("run 'powerai snapshot' first");
    }

    @Test
    void snapshot_badRequirementsAndCondaFile_exit2_oneLineEach_beforeAnythingRuns() throws Exception {
        write("powerai.yaml", """
                name: demo
                environment:
                  base_image: 127.0.0.1:1/powerai/python-ml:bookworm
                  pip_requirements: requirements.txt
                  conda_file: environment.yml
                  strict: true
                """);
        write("requirements.txt", "numpy==1.26.4\n-r other.txt\n-e ./src\nscipy>=1.x\n");
        write("other.txt", "numpy==1.26.3\n");
        Files.createDirectories(dir.resolve("src"));
        write("environment.yml", "dependencies: [python=3.11\n");

        CliRun run = CliRun.of("snapshot", dir.toString());

        // The registry on port 1 is never asked: input problems come first (exit 2, not 3).
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(4).allSatisfy(l -> assertThat(l).startsWith("amlEnvSnapshot: '"))
                .anySatisfy(l -> assertThat(l).contains("other.txt line 1: conflicting pins: numpy"))
                .anySatisfy(l -> assertThat(l).contains("requirements.txt line 3: not allowed with strict: true"))
                .anySatisfy(l -> assertThat(l).contains("requirements.txt line 4: must be a PEP 508 requirement"))
                .anySatisfy(l -> assertThat(l).contains("'conda_file' environment.yml line").contains("invalid YAML"));
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void snapshot_editableRequirement_warnsAndGoesOn() throws Exception {
        write("powerai.yaml", """
                name: demo
                environment:
                  base_image: 127.0.0.1:1/powerai/python-ml
                  pip_requirements: requirements.txt
                """);
        write("requirements.txt", "-e ./src\n");
        Files.createDirectories(dir.resolve("src"));

        CliRun run = CliRun.of("snapshot", dir.toString());

        assertThat(run.out()).contains("[amlEnvSnapshot] WARNING: base image 127.0.0.1:1/powerai/python-ml is not pinned (tag 'latest')")
                .contains("[amlEnvSnapshot] WARNING: 'pip_requirements' requirements.txt line 1: not reproducible: an editable requirement");
        assertThat(run.exitCode()).as("then the unreachable registry: " + run).isEqualTo(3);
    }

    @Test
    void snapshot_baseTagThatDoesNotExist_exit2() throws Exception {
        LocalInfrastructure.require();
        write("powerai.yaml", "name: demo\nenvironment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:no-such-tag\n");

        CliRun run = CliRun.of("snapshot", dir.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("amlEnvSnapshot: 'base_image' must name an image that exists in its registry; got"
                + " '127.0.0.1:5000/powerai/python-ml:no-such-tag' (tag no-such-tag not found in 127.0.0.1:5000)");
    }
}
