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
 * builds and serves on 127.0.0.1 ({@link TestCondaChannel}), with a wheel from the test's PEP 503 index through its
 * {@code pip:} list; the image looked into ({@code conda env export}, {@code conda list --json}); the lock files
 * written (the conda packages over the base from their channel, with builds; the wheel in the pip lock with the
 * index); the snapshot rebuilt from the locks with zero drift; and a second snapshot derived from the first image
 * ({@code capture_from}) with the same pins.
 *
 * <p>conda cannot be installed on our machines (it is not packaged for Debian; no conda image or installer can be
 * downloaded), so that test runs only where a conda base image is named: {@code -Dpowerai.condaBase=REF} or
 * {@code POWERAI_CONDA_BASE=REF}, an image with {@code conda} on its PATH (docs/steps/amlEnvSnapshot.md, "Testing
 * with real conda"). Its builds need no channel but the test's: the base's own packages are never asked for again.
 * Elsewhere it skips with that reason, even with {@code -Dpowerai.e2e=required}: conda is not part of the local
 * infrastructure. The channel itself is checked everywhere, as conda reads it (archives, package metadata,
 * repodata, served over HTTP).
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
                    .containsEntry("depends", List.of("tinycondadep 0.1.0"))
                    // What conda's PackageRecord requires (name, version, build, an integer build_number) and how it
                    // places a noarch package (its subdir, noarch: generic: files linked as they are).
                    .containsEntry("name", "tinycondapkg").containsEntry("version", "1.0.0").containsEntry("build", "0")
                    .containsEntry("build_number", 0).containsEntry("subdir", "noarch").containsEntry("noarch", "generic");
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

    /**
     * conda's own package reader (conda-package-streaming, Debian's python3-conda-package-streaming) opens each
     * archive, the files land where paths.json says with its sha256 and size, repodata's md5/sha256/size are those
     * of the archive, and the archive converts to the {@code .conda} format with the same payload.
     */
    @Test
    @SuppressWarnings("unchecked")
    void channel_archives_openWithCondasPackageReader() throws Exception {
        String python = null;
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                if (run(60, candidate, "-c", "import conda_package_streaming.extract, conda_package_streaming.transmute").startsWith("0\n")) {
                    python = candidate;
                    break;
                }
            } catch (IOException notThere) {
                // the next candidate
            }
        }
        assumeTrue(python != null, "needs the Python module conda_package_streaming (Debian: apt-get install"
                + " python3-conda-package-streaming; scripts/infra.sh installs it)");
        try (TestCondaChannel channel = new TestCondaChannel(tmp.resolve("conda"))) {
            TestCondaChannel.Package dep = channel.add("tinycondadep", "0.1.0", List.of());
            TestCondaChannel.Package pkg = channel.add("tinycondapkg", "1.0.0", List.of("tinycondadep 0.1.0"));
            String out = run(120, python, "-c", READER, channel.channelDir().toString(), tmp.resolve("read").toString());
            assertThat(out).startsWith("0\n");
            Map<String, Object> read = Json.parseObject(out.substring(2));
            assertThat(read.keySet()).containsExactlyInAnyOrder(dep.fileName(), pkg.fileName());
            for (TestCondaChannel.Package p : List.of(dep, pkg)) {
                Map<String, Object> r = (Map<String, Object>) read.get(p.fileName());
                assertThat((Map<String, Object>) r.get("index")).containsEntry("name", p.name()).containsEntry("version", p.version())
                        .containsEntry("build", p.build()).containsEntry("depends", p.depends()).containsEntry("subdir", "noarch");
                assertThat(r.get("paths")).isEqualTo(List.of(Map.of("_path", p.payloadPath(), "sha256_matches", true, "size_matches", true)));
                assertThat(r.get("payload")).isEqualTo(p.payload());
                assertThat(r.get("repodata")).isEqualTo(Map.of("md5", true, "sha256", true, "size", true, "name", true,
                        "version", true, "build", true, "depends", true));
                assertThat(r.get("conda_format_payload")).isEqualTo(p.payload());
            }
        }
    }

    /** Reads every archive of a channel (argv[1]) with conda-package-streaming into argv[2]; prints what it saw as JSON. */
    private static final String READER = """
            import hashlib, json, os, sys
            from conda_package_streaming.extract import extract
            from conda_package_streaming.transmute import transmute
            channel, out = sys.argv[1], sys.argv[2]
            repodata = json.load(open(os.path.join(channel, "noarch", "repodata.json")))["packages"]
            seen = {}
            for name in sorted(os.listdir(os.path.join(channel, "noarch"))):
                if not name.endswith(".tar.bz2"):
                    continue
                archive = os.path.join(channel, "noarch", name)
                data = open(archive, "rb").read()
                dest = os.path.join(out, name[:-len(".tar.bz2")])
                extract(archive, dest)
                index = json.load(open(os.path.join(dest, "info", "index.json")))
                paths = []
                for p in json.load(open(os.path.join(dest, "info", "paths.json")))["paths"]:
                    body = open(os.path.join(dest, p["_path"]), "rb").read()
                    paths.append({"_path": p["_path"], "sha256_matches": hashlib.sha256(body).hexdigest() == p["sha256"],
                                  "size_matches": len(body) == p["size_in_bytes"]})
                entry = repodata[name]
                checks = {"md5": entry["md5"] == hashlib.md5(data).hexdigest(),
                          "sha256": entry["sha256"] == hashlib.sha256(data).hexdigest(), "size": entry["size"] == len(data)}
                checks.update({k: entry[k] == index[k] for k in ("name", "version", "build", "depends")})
                converted = os.path.join(out, "conda-format")
                os.makedirs(converted, exist_ok=True)
                transmute(archive, converted)
                again = os.path.join(out, "from-conda-format", name)
                extract(os.path.join(converted, name[:-len(".tar.bz2")] + ".conda"), again)
                seen[name] = {"index": index, "paths": paths, "repodata": checks,
                              "payload": open(os.path.join(dest, paths[0]["_path"])).read(),
                              "conda_format_payload": open(os.path.join(again, paths[0]["_path"])).read()}
            print(json.dumps(seen))
            """;

    @Test
    @SuppressWarnings("unchecked")
    void condaEnvironment_fromALocalChannel_lockedRebuiltWithZeroDrift_andDerivedByCaptureFrom() throws Exception {
        String base = condaBase();
        LocalInfrastructure.require();
        String version = run(120, "docker", "run", "--rm", "--network", "none", base, "conda", "--version");
        assumeTrue(version.startsWith("0\n"), "the conda base image " + base + " has no working conda ('conda --version' in it: "
                + version.strip().replaceAll("\\s+", " ") + "); set -D" + PROPERTY + " or " + VARIABLE + " to an image with conda on its PATH");

        TestWheels.Wheel wheel = TestWheels.build("tinywheel", "0.2.0", List.of());
        try (TestCondaChannel channel = new TestCondaChannel(tmp.resolve("conda"));
             TestWheels.Index index = new TestWheels.Index(List.of(wheel))) {
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
            // The conda packages from the test's channel only; a wheel from the test's index by conda's pip: list.
            Files.writeString(project.resolve("environment.yml"), """
                    name: base
                    channels:
                      - %s
                      - nodefaults
                    dependencies:
                      - tinycondapkg=1.0.0
                      - pip
                      - pip:
                        - --index-url %s
                        - tinywheel==0.2.0 --hash=sha256:%s
                    """.formatted(url, index.url(), wheel.sha256()));

            CliRun snapshot = CliRun.of("snapshot", project.toString());
            assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
            Path ws = project.resolve(".powerai");
            Map<String, Object> result = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
            Map<String, Object> manifest = Json.readObject(ws.resolve("environment/manifest.json"));
            List<Map<String, Object>> packages = (List<Map<String, Object>>) manifest.get("packages");
            for (String[] pin : List.of(new String[] {"tinycondapkg", "1.0.0"}, new String[] {"tinycondadep", "0.1.0"})) {
                assertThat(packages).as(pin[0]).anySatisfy(p -> assertThat(p).containsEntry("source", "conda").containsEntry("name", pin[0])
                        .containsEntry("version", pin[1]).containsEntry("build", "0").containsEntry("layer", "snapshot")
                        .containsEntry("channel", url));
            }
            assertThat(packages).as("conda's own packages are the base's").anySatisfy(p -> assertThat(p).containsEntry("source", "conda")
                    .containsEntry("name", "conda").containsEntry("layer", "base"));
            assertThat(packages).anySatisfy(p -> assertThat(p).containsEntry("source", "pip").containsEntry("name", "tinywheel")
                    .containsEntry("version", "0.2.0").containsEntry("installer", "pip").containsEntry("layer", "snapshot"));

            // The lock is the layer over the base, each package from the channel it came from, and that channel only.
            String lock = Files.readString(ws.resolve("environment/environment.lock.yml"));
            assertThat(lock.substring(lock.indexOf("name: "))).isEqualTo("""
                    name: base
                    channels:
                      - %1$s
                      - nodefaults
                    dependencies:
                      - %1$s::tinycondadep=0.1.0=0
                      - %1$s::tinycondapkg=1.0.0=0
                    """.formatted(url));
            // What conda's pip installed is in the pip lock, with the index of the pip: list.
            assertThat(Files.readString(ws.resolve("environment/requirements.lock")))
                    .contains("--index-url " + index.url() + "\n").contains("tinywheel==0.2.0");

            // The package's file is where conda put it, in the image; the wheel imports.
            assertThat(run(120, "docker", "run", "--rm", "--network", "none", result.get("image").toString(), "sh", "-c",
                    "cat \"$(conda info --base)/share/tinycondapkg/tinycondapkg.txt\" && python3 -c 'import tinywheel; print(tinywheel.VERSION)'"))
                    .isEqualTo("0\ntinycondapkg 1.0.0 from the powerai test channel\n0.2.0\n");

            // Rebuilt from the lock alone: zero drift.
            CliRun verify = CliRun.of("snapshot", "verify", project.toString());
            assertThat(verify.exitCode()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains("verified: zero drift");
            assertThat(Json.readObject(ws.resolve("environment/verify.json")).get("identical")).isEqualTo(true);

            // capture_from: the same conda pins derived from the image, installed from the test's channel only.
            Path derived = tmp.resolve("derived");
            CliRun capture = SnapshotLockEndToEndTest.snapshotCapturedFrom(derived, "conda-e2e-derived", base, result.get("image"),
                    index.url(), runId);
            assertThat(capture.out()).contains("derived 1 pip, 2 conda and 0 apt pins from");
            assertThat(Files.readString(derived.resolve(".powerai/environment/context/Dockerfile")))
                    .contains("conda install --yes --name base --override-channels --channel " + url + " \\\n")
                    .contains("\"" + url + "::tinycondapkg=1.0.0=0\"");
            String derivedLock = Files.readString(derived.resolve(".powerai/environment/environment.lock.yml"));
            assertThat(derivedLock.substring(derivedLock.indexOf("name: "))).isEqualTo(lock.substring(lock.indexOf("name: ")));
            CliRun diff = CliRun.of("snapshot", "diff", "--json", project.toString(), derived.toString());
            Map<String, Object> diffJson = Json.parseObject(diff.out());
            assertThat(diffJson.get("added")).asList().isEmpty();
            assertThat(diffJson.get("removed")).asList().isEmpty();
            assertThat(diffJson.get("changed")).asList().isEmpty();
            assertThat(diff.out()).as("only env differs").contains("\"field\" : \"env\"");
        }
    }
}
