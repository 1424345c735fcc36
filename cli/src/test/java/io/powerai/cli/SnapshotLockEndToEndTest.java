package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole lock cycle for real: wheels built by the test, served as a PEP 503 index on 127.0.0.1, installed by
 * pip with --require-hashes inside a docker build; the image looked into; the manifest and requirements.lock
 * written from what pip installed; the snapshot rebuilt from the lock alone (no cache) with zero drift; a
 * second snapshot derived from the first image ({@code capture_from}); drift detected when the manifest lies.
 */
class SnapshotLockEndToEndTest {
    /** The local base image plus python3-pip (Debian's pip 23.0.1): the base has no pip, PyPI is unreachable. */
    static final String PIP_BASE = LocalInfrastructure.REGISTRY + "/powerai-test/python-ml-pip:bookworm";

    @TempDir
    Path tmp;

    @BeforeAll
    static void pipBaseImage() throws Exception {
        LocalInfrastructure.require();
        if (LocalInfrastructure.manifestDigest("powerai-test/python-ml-pip", "bookworm").isPresent()) {
            return;
        }
        Path dir = Files.createTempDirectory("pip-base");
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + LocalInfrastructure.BASE_IMAGE + "\n"
                + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pip"
                + " && rm -rf /var/lib/apt/lists/*\n");
        exec(600, "docker", "build", "--network", "host", "-t", PIP_BASE, dir.toString());
        exec(120, "docker", "push", PIP_BASE);
    }

    private static void exec(int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }

    /**
     * A project in {@code dir} that derives its environment from {@code image} ({@code capture_from}) over {@code base},
     * pip reaching {@code indexUrl}, snapshot taken; its run, checked to have succeeded.
     */
    static CliRun snapshotCapturedFrom(Path dir, String name, String base, Object image, String indexUrl, String run) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("powerai.yaml"), """
                name: %s
                environment:
                  base_image: %s
                  capture_from: %s
                  env:
                    PIP_INDEX_URL: "%s"
                    E2E_RUN: "%s"
                """.formatted(name, base, image, indexUrl, run));
        CliRun capture = CliRun.of("snapshot", dir.toString());
        assertThat(capture.exitCode()).as(capture.toString()).isZero();
        return capture;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> packages(Map<String, Object> manifest) {
        return (List<Map<String, Object>>) manifest.get("packages");
    }

    private static Map<String, Object> pip(Map<String, Object> manifest, String name) {
        return packages(manifest).stream().filter(p -> p.get("source").equals("pip") && p.get("name").equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(name + " is not in the manifest"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pipRequireHashes_fromALocalIndex_capturedLockedRebuiltWithZeroDrift_andDerivedByCaptureFrom() throws Exception {
        TestWheels.Wheel dep = TestWheels.build("tinydep", "0.1.0", List.of());
        TestWheels.Wheel pkg = TestWheels.build("tinypkg", "1.0.0", List.of("tinydep==0.1.0"));
        try (TestWheels.Index index = new TestWheels.Index(List.of(dep, pkg))) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            Path project = Files.createDirectories(tmp.resolve("project"));
            Files.writeString(project.resolve("powerai.yaml"), """
                    name: lock-e2e
                    environment:
                      base_image: %s
                      pip_requirements: requirements.txt
                      strict: true
                      env:
                        E2E_RUN: "%s"
                    """.formatted(PIP_BASE, run));
            Files.writeString(project.resolve("requirements.txt"), """
                    # the index the test serves; -r and --hash as users write them
                    --index-url %s
                    -r requirements/base.txt
                    tinypkg==1.0.0 \\
                        --hash=sha256:%s
                    """.formatted(index.url(), pkg.sha256()));
            Files.createDirectories(project.resolve("requirements"));
            Files.writeString(project.resolve("requirements/base.txt"), "TinyDep==0.1.0 --hash=sha256:" + dep.sha256() + "\n");

            CliRun snapshot = CliRun.of("snapshot", project.toString());
            assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
            assertThat(snapshot.out()).contains("[amlEnvSnapshot] building").contains("Successfully installed TinyDep-0.1.0 tinypkg-1.0.0")
                    .contains("packages pinned");

            Path ws = project.resolve(".powerai");
            Map<String, Object> result = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
            assertThat(result.get("manifest")).isEqualTo("environment/manifest.json");
            Map<String, Object> manifest = Json.readObject(ws.resolve("environment/manifest.json"));
            assertThat(manifest.get("schemaVersion")).isEqualTo(1);
            assertThat(manifest.get("snapshotId")).isEqualTo(result.get("snapshotId"));
            assertThat(manifest.get("image")).isEqualTo(Map.of("reference", result.get("imageTag"), "digest", result.get("digest")));
            assertThat(((Map<?, ?>) manifest.get("os")).get("VERSION_ID")).isEqualTo("12");
            assertThat(((Map<?, ?>) manifest.get("python")).get("version").toString()).startsWith("3.11.");
            assertThat(((Map<String, Object>) manifest.get("inputFiles")).keySet()).containsExactlyInAnyOrder("requirements.txt", "requirements/base.txt");
            // What pip installed, with the hash pip checked, from the index the test served.
            assertThat(pip(manifest, "tinypkg")).containsEntry("version", "1.0.0").containsEntry("hash", "sha256:" + pkg.sha256())
                    .containsEntry("layer", "snapshot").containsEntry("installer", "pip");
            assertThat(pip(manifest, "tinydep")).containsEntry("version", "0.1.0").containsEntry("hash", "sha256:" + dep.sha256());
            // The base's own packages are there too, marked as the base's.
            assertThat(pip(manifest, "numpy")).containsEntry("layer", "base");
            assertThat(packages(manifest)).anySatisfy(p -> assertThat(p).containsEntry("source", "apt").containsEntry("name", "python3-pip")
                    .containsEntry("layer", "base"));

            String lock = Files.readString(ws.resolve("environment/requirements.lock"));
            assertThat(lock).contains("--index-url " + index.url() + "\n")
                    .contains("tinydep==0.1.0 \\\n    --hash=sha256:" + dep.sha256() + "\n")
                    .contains("tinypkg==1.0.0 \\\n    --hash=sha256:" + pkg.sha256() + "\n")
                    .doesNotContain("numpy");
            assertThat(ws.resolve("environment/apt.lock")).doesNotExist();
            assertThat(Files.readString(ws.resolve("environment/context/Dockerfile")))
                    .contains("org.opencontainers.image.version=\"" + result.get("snapshotId") + "\"")
                    .doesNotContain("org.opencontainers.image.created");

            // The package works in the image.
            assertThat(output("docker", "run", "--rm", "--network", "none", result.get("image").toString(), "python3", "-c",
                    "import tinypkg, tinydep; print(tinypkg.VERSION, tinydep.VERSION)")).contains("1.0.0 0.1.0");

            // Unchanged inputs: nothing built, the manifest and lock are the same bytes.
            byte[] manifestBytes = Files.readAllBytes(ws.resolve("environment/manifest.json"));
            CliRun again = CliRun.of("snapshot", project.toString());
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.out()).contains("inputs unchanged, build skipped").doesNotContain("building");
            assertThat(Files.readAllBytes(ws.resolve("environment/manifest.json"))).isEqualTo(manifestBytes);
            assertThat(Files.readString(ws.resolve("environment/requirements.lock"))).isEqualTo(lock);

            // Rebuilt from the lock alone, without cache: zero drift.
            CliRun verify = CliRun.of("snapshot", "verify", project.toString());
            assertThat(verify.exitCode()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains("verified: zero drift").contains("--require-hashes");
            assertThat(Json.readObject(ws.resolve("environment/verify.json")).get("identical")).isEqualTo(true);
            assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();
            assertThat(Files.readString(ws.resolve("audit.jsonl"))).contains("\"status\":\"verified\"");

            // capture_from: a second project pins what the first image has over the base, without requirements of its own.
            Path derived = tmp.resolve("derived");
            CliRun capture = snapshotCapturedFrom(derived, "lock-e2e-derived", PIP_BASE, result.get("image"), index.url(), run);
            assertThat(capture.out()).contains("derived 2 pip, 0 conda and 0 apt pins from");
            assertThat(Files.readString(derived.resolve(".powerai/environment/context/captured-requirements.txt")))
                    .contains("tinydep==0.1.0\ntinypkg==1.0.0\n");
            CliRun diff = CliRun.of("snapshot", "diff", "--json", project.toString(), derived.toString());
            Map<String, Object> diffJson = Json.parseObject(diff.out());
            assertThat(diffJson.get("added")).asList().isEmpty();
            assertThat(diffJson.get("removed")).asList().isEmpty();
            assertThat(diffJson.get("changed")).asList().isEmpty();
            assertThat(diff.exitCode()).as("only env differs").isEqualTo(1);
            assertThat(diff.out()).contains("\"field\" : \"env\"");

            // A manifest that says something else than the lock gives: drift, exit 1, the difference shown.
            Path manifestFile = ws.resolve("environment/manifest.json");
            Files.writeString(manifestFile, Files.readString(manifestFile).replaceAll(
                    "(\"name\" : \"tinydep\",\\s+\"source\" : \"pip\",\\s+\"version\" : )\"0\\.1\\.0\"", "$1\"0.0.9\""));
            CliRun drift = CliRun.of("snapshot", "verify", project.toString());
            assertThat(drift.exitCode()).as(drift.toString()).isEqualTo(1);
            assertThat(drift.out()).containsPattern("changed\\s+pip\\s+tinydep\\s+0\\.0\\.9\\s+0\\.1\\.0");
            assertThat(drift.err().strip().lines()).hasSize(1);
            assertThat(drift.err()).contains("drift");
        }
    }
}
