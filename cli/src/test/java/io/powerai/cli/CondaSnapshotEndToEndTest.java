package io.powerai.cli;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conda path of amlEnvSnapshot for real: an {@code environment.yml} installed by conda from a channel the test
 * builds and serves on 127.0.0.1 ({@link TestCondaChannel}), the image looked into ({@code conda env export}),
 * {@code environment.lock.yml} written with exact builds, the snapshot rebuilt from the lock with zero drift, and a
 * second snapshot derived from the first image ({@code capture_from}).
 *
 * <p>conda cannot be installed on our machines (it is not packaged for Debian; no conda image or installer can be
 * downloaded), so that test runs only where a conda base image is named: {@code -Dpowerai.condaBase=REF} or
 * {@code POWERAI_CONDA_BASE=REF}, an image with {@code conda} on its PATH whose configuration names no channel it
 * cannot reach (docs/steps/amlEnvSnapshot.md, "Testing with real conda"). Elsewhere it skips with that reason, even
 * with {@code -Dpowerai.e2e=required}: conda is not part of the local infrastructure. The channel itself is checked
 * everywhere, as conda reads it (archives, package metadata, repodata, served over HTTP).
 */
class CondaSnapshotEndToEndTest {
    static final String PROPERTY = "powerai.condaBase";
    static final String VARIABLE = "POWERAI_CONDA_BASE";

    @TempDir
    Path tmp;

    private static String condaBase() {
        String named = System.getProperty(PROPERTY, System.getenv(VARIABLE));
        assumeTrue(named != null && !named.isBlank(), "needs a conda base image: set -D" + PROPERTY + "=REF or " + VARIABLE
                + "=REF (an image with conda on its PATH, e.g. built FROM a miniforge image and pushed to 127.0.0.1:5000)"
                + "; conda cannot be installed here");
        return named.strip();
    }

    private static String run(int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in " + seconds + " s");
        }
        return p.exitValue() + "\n" + out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void channel_archivesMetadataAndRepodata_asCondaReadsThem() throws Exception {
        try (TestCondaChannel channel = new TestCondaChannel(tmp.resolve("conda"))) {
            TestCondaChannel.Package dep = channel.add("tinycondadep", "0.1.0", List.of());
            TestCondaChannel.Package pkg = channel.add("tinycondapkg", "1.0.0", List.of("tinycondadep 0.1.0"));

            for (TestCondaChannel.Package p : List.of(dep, pkg)) {
                Path out = Files.createDirectories(tmp.resolve("extracted").resolve(p.name()));
                String tar = run(60, "tar", "-xjf", channel.channelDir().resolve("noarch").resolve(p.fileName()).toString(), "-C", out.toString());
                assertThat(tar).startsWith("0\n");
                Map<String, Object> index = Json.readObject(out.resolve("info/index.json"));
                assertThat(index).containsEntry("name", p.name()).containsEntry("version", p.version()).containsEntry("build", "0")
                        .containsEntry("noarch", "generic").containsEntry("subdir", "noarch").containsEntry("depends", p.depends());
                Map<String, Object> paths = (Map<String, Object>) ((List<Object>) Json.readObject(out.resolve("info/paths.json")).get("paths")).get(0);
                byte[] payload = Files.readAllBytes(out.resolve(p.payloadPath()));
                assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo(p.payload());
                assertThat(paths).containsEntry("_path", p.payloadPath()).containsEntry("sha256", Digests.sha256(payload))
                        .containsEntry("size_in_bytes", payload.length);
                assertThat(out.resolve("info/files")).hasContent(p.payloadPath());
            }

            Map<String, Object> repodata = Json.readObject(channel.channelDir().resolve("noarch/repodata.json"));
            assertThat(repodata.get("info")).isEqualTo(Map.of("subdir", "noarch"));
            Map<String, Object> entry = (Map<String, Object>) ((Map<String, Object>) repodata.get("packages")).get(pkg.fileName());
            assertThat(entry).containsEntry("sha256", pkg.sha256()).containsEntry("size", pkg.bytes().length)
                    .containsEntry("md5", HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(pkg.bytes())))
                    .containsEntry("depends", List.of("tinycondadep 0.1.0"));
            assertThat(Json.readObject(channel.channelDir().resolve("linux-64/repodata.json")).get("packages")).isEqualTo(Map.of());

            String url = channel.serve();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> archive = http.send(HttpRequest.newBuilder(URI.create(url + "/noarch/" + pkg.fileName())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(archive.statusCode()).isEqualTo(200);
            assertThat(archive.body()).isEqualTo(pkg.bytes());
            assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/noarch/missing.tar.bz2")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void condaEnvironment_fromALocalChannel_lockedRebuiltWithZeroDrift_andDerivedByCaptureFrom() throws Exception {
        String base = condaBase();
        LocalInfrastructure.require();
        String version = run(120, "docker", "run", "--rm", "--network", "none", base, "conda", "--version");
        assumeTrue(version.startsWith("0\n"), "the conda base image " + base + " has no working conda: " + version.strip());

        try (TestCondaChannel channel = new TestCondaChannel(tmp.resolve("conda"))) {
            channel.add("tinycondadep", "0.1.0", List.of());
            channel.add("tinycondapkg", "1.0.0", List.of("tinycondadep 0.1.0"));
            String url = channel.serve();
            String runId = UUID.randomUUID().toString().substring(0, 8);
            Path project = Files.createDirectories(tmp.resolve("project"));
            Files.writeString(project.resolve("powerai.yaml"), """
                    name: conda-e2e
                    environment:
                      base_image: %s
                      conda_file: environment.yml
                      strict: true
                      env:
                        E2E_RUN: "%s"
                    """.formatted(base, runId));
            Files.writeString(project.resolve("environment.yml"), """
                    name: base
                    channels:
                      - %s
                      - nodefaults
                    dependencies:
                      - tinycondapkg=1.0.0
                    """.formatted(url));

            CliRun snapshot = CliRun.of("snapshot", project.toString());
            assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
            Path ws = project.resolve(".powerai");
            Map<String, Object> result = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
            Map<String, Object> manifest = Json.readObject(ws.resolve("environment/manifest.json"));
            List<Map<String, Object>> packages = (List<Map<String, Object>>) manifest.get("packages");
            for (String[] pin : List.of(new String[] {"tinycondapkg", "1.0.0"}, new String[] {"tinycondadep", "0.1.0"})) {
                assertThat(packages).as(pin[0]).anySatisfy(p -> assertThat(p).containsEntry("source", "conda").containsEntry("name", pin[0])
                        .containsEntry("version", pin[1]).containsEntry("build", "0").containsEntry("layer", "snapshot"));
            }
            String lock = Files.readString(ws.resolve("environment/environment.lock.yml"));
            assertThat(lock).contains("tinycondapkg=1.0.0=0").contains("tinycondadep=0.1.0=0").contains(url);

            // The package's file is where conda put it, in the image.
            assertThat(run(120, "docker", "run", "--rm", "--network", "none", result.get("image").toString(), "sh", "-c",
                    "cat \"$(conda info --base)/share/tinycondapkg/tinycondapkg.txt\""))
                    .isEqualTo("0\ntinycondapkg 1.0.0 from the powerai test channel\n");

            // Rebuilt from the lock alone: zero drift.
            CliRun verify = CliRun.of("snapshot", "verify", project.toString());
            assertThat(verify.exitCode()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains("verified: zero drift");

            // capture_from: the same conda pins derived from the image.
            Path derived = Files.createDirectories(tmp.resolve("derived"));
            Files.writeString(derived.resolve("powerai.yaml"), """
                    name: conda-e2e-derived
                    environment:
                      base_image: %s
                      capture_from: %s
                      env:
                        E2E_RUN: "%s"
                    """.formatted(base, result.get("image"), runId));
            CliRun capture = CliRun.of("snapshot", derived.toString());
            assertThat(capture.exitCode()).as(capture.toString()).isZero();
            assertThat(capture.out()).contains("2 conda");
            Map<String, Object> diff = Json.parseObject(CliRun.of("snapshot", "diff", "--json", project.toString(), derived.toString()).out());
            assertThat(diff.get("added")).asList().isEmpty();
            assertThat(diff.get("removed")).asList().isEmpty();
            assertThat(diff.get("changed")).asList().isEmpty();
        }
    }
}
