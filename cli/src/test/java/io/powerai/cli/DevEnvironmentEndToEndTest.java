package io.powerai.cli;

import io.powerai.core.dev.DevEnvironment;
import io.powerai.core.dev.DevState;
import io.powerai.core.dev.ProjectOwner;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai dev} for real: the svm-moons project's snapshot plus the dev layer (Debian's Jupyter, built once for
 * the class: both projects have the same environment, so the same snapshot and dev image), a real notebook server in a
 * real container, driven through its REST API and the kernel WebSocket protocol; a package installed from a local
 * PEP 503 index inside it, captured, snapshotted and verified.
 */
class DevEnvironmentEndToEndTest {
    private static final String NAME = "dev-e2e";
    /** An unprivileged owner that exists nowhere: the test chowns the project to it. */
    private static final int OWNER = 4242;

    @TempDir
    static Path tmp;
    static TestWheels.Index index;
    static String run;
    static final List<Path> projects = new ArrayList<>();
    /** Dev images this run built ("engine image"): their snapshot is this run's own, so no later run can reuse them. */
    static final java.util.Set<String> devImages = new java.util.TreeSet<>();

    @BeforeAll
    static void index() throws IOException {
        LocalInfrastructure.require();
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "changes owners of files: needs root, as CI runs");
        index = new TestWheels.Index(List.of(TestWheels.build("tinydep", "0.1.0", List.of()),
                TestWheels.build("tinypkg", "1.0.0", List.of("tinydep==0.1.0"))));
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterAll
    static void cleanUp() {
        for (Path project : projects) {
            LocalInfrastructure.run("docker", "rm", "-f", DevEnvironment.containerName(NAME, project));
            LocalInfrastructure.run("podman", "rm", "-f", "-t", "0", DevEnvironment.containerName(NAME, project));
        }
        for (String engineAndImage : devImages) {
            LocalInfrastructure.run(engineAndImage.split(" ")[0], "rmi", engineAndImage.split(" ")[1]);
        }
        if (index != null) {
            index.close();
        }
    }

    /** The example with an environment that pip in the notebook reaches the test's index from; the same for every copy. */
    static Path project(String dir) throws IOException {
        Path project = tmp.resolve(dir);
        LocalInfrastructure.copyTree(LocalInfrastructure.repoRoot().resolve("examples/svm-moons"), project);
        Files.writeString(project.resolve("powerai.yaml"), """
                # A dev project: the example's training, in an environment of its own.
                name: %s
                environment:
                  base_image: %s
                  env:
                    OMP_NUM_THREADS: "1"
                    PIP_INDEX_URL: "%s"
                    E2E_RUN: "%s"
                train:
                  script: train.py
                  data: data
                """.formatted(NAME, LocalInfrastructure.BASE_IMAGE, index.url(), run));
        projects.add(project);
        return project;
    }

    static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    static CliRun dev(Path project, String... args) {
        List<String> all = new ArrayList<>(List.of("dev", project.toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    static CliRun started(Path project, int port, String... more) {
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port)));
        args.addAll(List.of(more));
        CliRun start = dev(project, args.toArray(String[]::new));
        assertThat(start.exitCode()).as(start.toString()).isZero();
        devImages.add((args.contains("podman") ? "podman " : "docker ") + DevState.read(project.resolve(".powerai")).image());
        return start;
    }

    @Test
    void unprivilegedOwner_tokenAndXsrf_kernelWritesAsOwner_loopbackOnly_thenCapturedIntoTheSnapshot() throws Exception {
        Path project = project("owned");
        LocalInfrastructure.run("chown", "-R", OWNER + ":" + OWNER, project.toString());
        int port = LocalInfrastructure.freePort();
        CliRun start = started(project, port);
        DevState state = DevState.read(project.resolve(".powerai"));
        String token = state.token();
        // Not a terminal: the URL without the token, and where the token is.
        assertThat(start.out()).contains("Jupyter: http://127.0.0.1:" + port + "/ (token in " + project.resolve(".powerai/dev.json") + ")")
                .doesNotContain(token);
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(project.resolve(".powerai/dev.json")))).isEqualTo("rw-------");
        assertThat(Json.readObject(project.resolve(".powerai/dev.json"))).containsEntry("port", port)
                .containsEntry("url", "http://127.0.0.1:" + port + "/").containsEntry("container", state.container());
        assertThat(commandLinesHolding(token)).as("the token is on no process's command line").isEmpty();

        String url = "http://127.0.0.1:" + port + "/";
        assertThat(new JupyterClient(url, null).get("api/status").statusCode()).isEqualTo(403);
        assertThat(new JupyterClient(url, token).get("api/status").statusCode()).isEqualTo(200);
        assertThat(new JupyterClient(url, "0".repeat(64)).get("api/status").statusCode()).isEqualTo(403);
        // XSRF on: a browser session (the cookie of a token login) cannot POST without the _xsrf value.
        JupyterClient browser = new JupyterClient(url, null);
        assertThat(browser.get("tree?token=" + token).statusCode()).isEqualTo(200);
        HttpResponse<String> forged = browser.post("api/kernels", "{\"name\": \"python3\"}", Map.of());
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
        assertThat(forged.body()).contains("_xsrf");

        JupyterClient jupyter = new JupyterClient(url, token);
        String kernel = jupyter.startKernel("experiment.ipynb");
        JupyterClient.Execution wrote = jupyter.execute(kernel, String.join("\n",
                "import os, sklearn",
                "with open('from-notebook.txt', 'w') as f:",
                "    f.write(sklearn.__version__)",
                "print(os.getuid(), os.getgid(), os.getcwd(), os.path.exists('/workspace/data'), os.access('/workspace/data', os.W_OK))"),
                Duration.ofSeconds(60));
        assertThat(wrote.status()).as(wrote.toString()).isEqualTo("ok");
        assertThat(wrote.stdout().strip()).isEqualTo(OWNER + " " + OWNER + " /workspace/project True False");
        Path written = project.resolve("from-notebook.txt");
        assertThat(Files.readString(written)).startsWith("1.");
        assertThat(uid(written)).isEqualTo(OWNER);
        assertThat(Files.getAttribute(written, "unix:gid")).isEqualTo(OWNER);

        // Host networking: the host's table is the container's. The server's port, and every socket its uid listens
        // on (the kernel's too), on loopback only.
        List<String[]> listening = ListeningSockets.read();
        assertThat(listening).as("something listens on " + port).anyMatch(s -> ListeningSockets.port(s) == port);
        assertThat(listening.stream().filter(s -> ListeningSockets.port(s) == port || ListeningSockets.uid(s) == OWNER))
                .allSatisfy(s -> assertThat(ListeningSockets.loopback(s)).as(String.join(" ", s)).isTrue());

        assertThat(dev(project, "--status").out()).contains("running: " + url).doesNotContain(token);
        CliRun again = started(project, port);
        assertThat(again.out()).contains("already running");

        // Capture: pip in the notebook installs from the test's index (PIP_INDEX_URL of the environment).
        JupyterClient.Execution installed = jupyter.execute(kernel, String.join("\n",
                "import subprocess, sys",
                "r = subprocess.run([sys.executable, '-m', 'pip', 'install', 'tinypkg==1.0.0'], capture_output=True, text=True)",
                "print(r.returncode, r.stdout[-300:], r.stderr[-300:])"), Duration.ofMinutes(2));
        assertThat(installed.stdout()).as(installed.toString()).startsWith("0 ");
        jupyter.deleteKernel(kernel);
        CliRun capture = dev(project, "--capture");
        assertThat(capture.exitCode()).as(capture.toString()).isZero();
        assertThat(capture.out()).contains("pip   tinydep==0.1.0", "pip   tinypkg==1.0.0", "apt   python3-pip=",
                "updated powerai.yaml", "updated requirements.txt").doesNotContain("jupyter").doesNotContain("ipykernel");
        assertThat(Files.readString(project.resolve("requirements.txt"))).endsWith("tinydep==0.1.0\ntinypkg==1.0.0\n");
        assertThat(uid(project.resolve("requirements.txt"))).isEqualTo(OWNER);
        assertThat(uid(project.resolve("powerai.yaml"))).isEqualTo(OWNER);
        String yaml = Files.readString(project.resolve("powerai.yaml"));
        assertThat(yaml).startsWith("# A dev project").contains("  pip_requirements: \"requirements.txt\"\n")
                .containsPattern("  apt_packages: \\[\"python3-pip=[^\"]+\"\\]\n").contains("train:\n  script: train.py\n");
        CliRun recapture = dev(project, "--capture");
        assertThat(recapture.exitCode()).as(recapture.toString()).isZero();
        assertThat(Files.readString(project.resolve("powerai.yaml"))).as("capturing again changes nothing").isEqualTo(yaml);

        CliRun snapshot = CliRun.of("snapshot", project.toString());
        assertThat(snapshot.exitCode()).as(snapshot.toString()).isZero();
        String image = String.valueOf(Json.readObject(project.resolve(".powerai/amlEnvSnapshot.json")).get("image"));
        assertThat(output("docker", "run", "--rm", "--network", "none", image, "python3", "-c",
                "import tinypkg, tinydep; print(tinypkg.VERSION, tinydep.VERSION)")).contains("1.0.0 0.1.0");
        CliRun verify = CliRun.of("snapshot", "verify", project.toString());
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("verified: zero drift");

        // A stopped container has nothing left to capture.
        LocalInfrastructure.run("docker", "stop", "-t", "1", state.container());
        dev(project, "--capture").assertOneLineError(2, "dev: '--capture' needs the dev container running", state.container(), "stopped");
        CliRun stop = dev(project, "--stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(project.resolve(".powerai/dev.json")).doesNotExist();
        assertThat(output("docker", "ps", "-a", "--format", "{{.Names}}")).doesNotContain(state.container());
        assertThat(uid(written)).isEqualTo(OWNER);
    }

    @Test
    void rootOwnedProject_runsAsTheStandIn_andWhatItWroteGoesBackToRootOnStop() throws Exception {
        Path project = project("root-owned");
        assertThat(uid(project)).isZero();
        int port = LocalInfrastructure.freePort();
        CliRun start = started(project, port);
        assertThat(start.out()).contains("the project belongs to root: Jupyter runs as 65532:65532");
        String token = DevState.read(project.resolve(".powerai")).token();
        JupyterClient jupyter = new JupyterClient("http://127.0.0.1:" + port + "/", token);
        String kernel = jupyter.startKernel("experiment.ipynb");
        JupyterClient.Execution wrote = jupyter.execute(kernel, String.join("\n",
                "import os",
                "os.makedirs('notes', exist_ok=True)",
                "open('notes/from-notebook.txt', 'w').write('hello')",
                "print(os.getuid())"), Duration.ofSeconds(60));
        assertThat(wrote.stdout().strip()).as(wrote.toString()).isEqualTo(String.valueOf(ProjectOwner.STAND_IN));
        assertThat(uid(project.resolve("notes/from-notebook.txt"))).isEqualTo(ProjectOwner.STAND_IN);

        CliRun stop = dev(project, "--stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains("given back to root");
        assertThat(uid(project.resolve("notes/from-notebook.txt"))).isZero();
        assertThat(uid(project.resolve("notes"))).isZero();
        try (Stream<Path> all = Files.walk(project)) {
            assertThat(all.filter(p -> {
                try {
                    return uid(p) != 0;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList()).as("nothing left to the stand-in").isEmpty();
        }
    }

    /** On podman, and listening on every address as asked with --allow-remote: warned, and the token still required. */
    @Test
    void podman_servesTheSameWay_allAddressesOnlyAsAsked_stillWithTheToken() throws Exception {
        LocalInfrastructure.requirePodman();
        Path project = project("podman");
        LocalInfrastructure.run("chown", "-R", OWNER + ":" + OWNER, project.toString());
        int port = LocalInfrastructure.freePort();
        CliRun start = started(project, port, "--engine", "podman", "--listen", "0.0.0.0", "--allow-remote");
        assertThat(start.out()).contains("[dev] WARNING: listening on 0.0.0.0: other machines can reach the notebook server");
        String token = DevState.read(project.resolve(".powerai")).token();
        String url = "http://127.0.0.1:" + port + "/";
        assertThat(new JupyterClient(url, null).get("api/status").statusCode()).isEqualTo(403);
        JupyterClient jupyter = new JupyterClient(url, token);
        JupyterClient.Execution wrote = jupyter.execute(jupyter.startKernel("podman.ipynb"),
                "import os\nopen('podman.txt', 'w').write('x')\nprint(os.getuid())", Duration.ofSeconds(60));
        assertThat(wrote.stdout().strip()).as(wrote.toString()).isEqualTo(String.valueOf(OWNER));
        assertThat(uid(project.resolve("podman.txt"))).isEqualTo(OWNER);
        assertThat(ListeningSockets.read().stream().filter(s -> ListeningSockets.port(s) == port))
                .isNotEmpty().allSatisfy(s -> assertThat(s[1]).isEqualTo("00000000:" + String.format("%04X", port)));
        CliRun stop = dev(project, "--stop", "--engine", "podman");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(output("podman", "ps", "-a", "--format", "{{.Names}}")).doesNotContain(DevEnvironment.containerName(NAME, project));
    }

    /** The command lines of this machine's processes that hold {@code secret}. */
    static List<String> commandLinesHolding(String secret) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmdline.contains(secret)) {
                        found.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        }
        return found;
    }

    static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }
}
