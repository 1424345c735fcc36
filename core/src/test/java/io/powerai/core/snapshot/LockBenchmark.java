package io.powerai.core.snapshot;

import io.powerai.core.python.RequirementsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Benchmark harness (run by bench/snapshot.sh, not a test): parsing and locking an environment of N packages
 * (default 500). One iteration = read a requirements file tree (five -r includes, a -c constraints file, every
 * line pinned with --hash, a few with markers), parse the capture output of an image with those N pip packages
 * and N apt packages plus a base with half of the apt packages, build the manifest, render it and the
 * requirements and apt locks. The first iteration in a fresh JVM is the cold number; then warm-up and the
 * median of the rest.
 *
 * <p>Usage: {@code java -cp powerai-cli.jar:core/target/test-classes io.powerai.core.snapshot.LockBenchmark [N] [ITERATIONS]}
 */
public final class LockBenchmark {
    private LockBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        long mainStart = System.currentTimeMillis();
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path dir = Files.createTempDirectory("powerai-lock-bench");
        writeProject(dir, n);
        List<String> imageCapture = capture(n, false);
        List<String> baseCapture = capture(n, true);

        if (args.length > 2 && args[2].equals("in-command")) {
            // What `powerai snapshot` has done by the time it locks: read powerai.yaml (Jackson, the spec, a small
            // requirements file and its SHA-256). The first iteration then measures the locking in a command.
            readPipelineFile(dir);
        }
        long t0 = System.nanoTime();
        int packages = once(dir, imageCapture, baseCapture);
        double cold = (System.nanoTime() - t0) / 1e6;
        String coldPhases = phases();

        int warmup = Math.max(10, iterations / 2);
        for (int i = 0; i < warmup; i++) {
            once(dir, imageCapture, baseCapture);
        }
        double[] times = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long s = System.nanoTime();
            once(dir, imageCapture, baseCapture);
            times[i] = (System.nanoTime() - s) / 1e6;
        }
        String warmPhases = phases();
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "packages=%d requirement_lines=%d jvm_start_to_main_ms=%d cold_ms=%.1f (%s) "
                        + "warm_median_ms=%.2f warm_p90_ms=%.2f (last: %s) iterations=%d%n",
                packages, n, mainStart - jvmStart, cold, coldPhases, times[iterations / 2], times[(int) (iterations * 0.9)], warmPhases,
                iterations);
        deleteTree(dir);
    }

    private static void readPipelineFile(Path dir) throws IOException {
        Path project = Files.createDirectories(dir.resolve("command"));
        Files.writeString(project.resolve("requirements.txt"), "numpy==1.26.4 \\\n    --hash=sha256:" + hash(1) + "\n");
        Files.writeString(project.resolve("powerai.yaml"), "name: bench\nenvironment:\n  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm\n"
                + "  pip_requirements: requirements.txt\n");
        io.powerai.core.spec.PipelineSpec spec = io.powerai.core.spec.PipelineSpec.read(project.resolve("powerai.yaml"), null);
        if (spec.environment().inputFiles().isEmpty()) {
            throw new IllegalStateException("the pipeline file names no input file");
        }
    }

    /** Milliseconds of the last iteration's phases: parse requirements, parse captures, build manifest, render. */
    private static final double[] PHASES = new double[4];

    private static int once(Path dir, List<String> imageCapture, List<String> baseCapture) {
        long a = System.nanoTime();
        RequirementsFile.Result parsed = RequirementsFile.parse(dir.resolve("requirements.txt"), dir);
        if (!parsed.errors().isEmpty()) {
            throw new IllegalStateException(parsed.errors().get(0).describe());
        }
        long b = System.nanoTime();
        Capture.Captured image = Capture.parse(imageCapture);
        Capture.Captured base = Capture.parse(baseCapture);
        long c = System.nanoTime();
        Manifest manifest = new Manifest("ab".repeat(32), "127.0.0.1:5000/bench-env:x", "sha256:" + "cd".repeat(32),
                "127.0.0.1:5000/base:1", "sha256:" + "ef".repeat(32), image.osRelease(), image.pythonVersion(),
                image.pythonImplementation(), null, null, new TreeMap<>(), parsed.files(), null, List.of(),
                Manifest.packages(image, base));
        long d = System.nanoTime();
        String json = manifest.render();
        String lock = LockFiles.requirements(manifest, parsed.options());
        String apt = LockFiles.apt(manifest);
        if (json.isEmpty() || lock.isEmpty() || apt.isEmpty()) {
            throw new IllegalStateException("nothing rendered");
        }
        long e = System.nanoTime();
        PHASES[0] = (b - a) / 1e6;
        PHASES[1] = (c - b) / 1e6;
        PHASES[2] = (d - c) / 1e6;
        PHASES[3] = (e - d) / 1e6;
        return manifest.packages().size();
    }

    private static String phases() {
        return String.format(Locale.ROOT, "parse %.1f, capture %.1f, manifest %.1f, render %.1f", PHASES[0], PHASES[1], PHASES[2], PHASES[3]);
    }

    private static String name(int i) {
        return "pkg-" + Integer.toString(i, 36) + (i % 3 == 0 ? "_extra" : "");
    }

    private static String hash(int i) {
        return String.format(Locale.ROOT, "%064x", (long) i * 2654435761L);
    }

    /** requirements.txt including five files of N/5 pinned, hashed requirements, and a constraints file. */
    private static void writeProject(Path dir, int n) throws IOException {
        StringBuilder top = new StringBuilder("# benchmark requirements\n--index-url http://127.0.0.1:9/simple/\n-c constraints.txt\n");
        int parts = 5;
        for (int p = 0; p < parts; p++) {
            top.append("-r part").append(p).append(".txt\n");
            StringBuilder part = new StringBuilder();
            for (int i = p; i < n; i += parts) {
                part.append(name(i)).append("==").append(i % 7).append('.').append(i % 13).append('.').append(i);
                if (i % 10 == 0) {
                    part.append(" ; python_version >= \"3.8\" and sys_platform == \"linux\"");
                }
                part.append(" \\\n    --hash=sha256:").append(hash(i)).append('\n');
            }
            Files.writeString(dir.resolve("part" + p + ".txt"), part.toString());
        }
        Files.writeString(dir.resolve("requirements.txt"), top.toString());
        StringBuilder constraints = new StringBuilder();
        for (int i = 0; i < n; i += 4) {
            constraints.append(name(i)).append("<=").append(i % 7 + 1).append(".0\n");
        }
        Files.writeString(dir.resolve("constraints.txt"), constraints.toString());
    }

    /** The capture script's output for an image with N pip and N apt packages (the base: half the apt ones). */
    private static List<String> capture(int n, boolean base) {
        List<String> lines = new ArrayList<>(List.of("@@powerai:os-release", "ID=debian", "VERSION_ID=\"12\"",
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"", "@@powerai:python"));
        StringBuilder dists = new StringBuilder("{\"version\": \"3.11.2\", \"implementation\": \"CPython\", \"machine\": \"x86_64\", \"distributions\": [");
        StringBuilder list = new StringBuilder("[");
        StringBuilder report = new StringBuilder("{\"version\": \"1\", \"install\": [");
        int pip = base ? 0 : n;
        for (int i = 0; i < pip; i++) {
            String version = (i % 7) + "." + (i % 13) + "." + i;
            dists.append(i == 0 ? "" : ", ").append("{\"name\": \"").append(name(i)).append("\", \"version\": \"").append(version)
                    .append("\", \"installer\": \"pip\"}");
            list.append(i == 0 ? "" : ", ").append("{\"name\": \"").append(name(i)).append("\", \"version\": \"").append(version).append("\"}");
            report.append(i == 0 ? "" : ", ").append("{\"metadata\": {\"name\": \"").append(name(i)).append("\", \"version\": \"")
                    .append(version).append("\"}, \"download_info\": {\"url\": \"http://127.0.0.1:9/x.whl\", \"archive_info\": {\"hashes\": {\"sha256\": \"")
                    .append(hash(i)).append("\"}}}}");
        }
        lines.add(dists.append("]}").toString());
        lines.add("@@powerai:pip-list");
        lines.add(list.append("]").toString());
        lines.add("@@powerai:pip-freeze");
        lines.add("@@powerai:conda");
        lines.add("@@powerai:dpkg");
        for (int i = 0; i < (base ? n / 2 : n); i++) {
            lines.add("ii  lib" + Integer.toString(i, 36) + "=" + (i % 5) + "." + i + "-1+deb12u" + (i % 3));
        }
        lines.add("@@powerai:pip-report");
        lines.add(report.append("]}").toString());
        lines.add("@@powerai:end");
        return lines;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
