package io.powerai.core.history;

import io.powerai.core.audit.AuditLog;
import io.powerai.core.audit.AuditRecord;
import io.powerai.core.stage.deploy.LocalRecord;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.json.Json;
import io.powerai.core.lineage.LineageChain;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.ManifestDiff;
import io.powerai.core.stage.training.Metrics;
import io.powerai.core.workspace.Workspace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Several runs side by side, from their archived {@code .powerai} folders (e.g. what Jenkins archived for each
 * build): each run's model, metrics, environment snapshot and image; the environment's drift from one run to the
 * next; and every deployment the runs' audit logs recorded (a record archived by several builds counts once).
 * The runs are in the order of their folders' names, numbers compared as numbers (build 9 before build 10).
 */
public record RunHistory(List<Run> runs, List<Drift> drifts, List<Deployment> deployments, List<LocalRecord> ownRecords) {
    /** Where a run's archived environment snapshot lists its packages. */
    static final String MANIFEST = "environment/manifest.json";

    /** One run, as its result files recorded it; values are null where a stage did not run. */
    public record Run(String label, String time, String trainStatus, String modelSha256, Map<String, Double> metrics,
                      String snapshotId, String scoringImage, String deployStatus) {
    }

    /**
     * Packages added, removed or changed between the environments of two consecutive runs; {@code unknown} says why
     * they were not compared (a run without an archived manifest), null when they were.
     */
    public record Drift(String from, String to, List<String> added, List<String> removed, List<String> changed, String unknown) {
        public boolean none() {
            return unknown == null && added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }

    /**
     * One deploy record of any target: when, what, where ({@code namespace/service} on AKS, the container locally), the
     * action (deploy, promote, rollback, delete), how it ended (kept by the gate, rolled back...), and what served after
     * it ({@code serving}: on AKS each color with its traffic share, image, model, snapshot and build; locally the
     * image; empty: nothing, or not known). {@code note}: the gate's line, the image a rollback restored, or the failure.
     */
    public record Deployment(String time, long seq, String target, String where, String namespace, String service, String action,
                             String status, String image, List<Map<String, Object>> serving, String note, String failure) {
    }

    /** The runs under {@code roots}: each a .powerai folder, a folder holding one, or a folder of such folders. */
    public static RunHistory read(List<Path> roots) {
        List<Path> folders = new ArrayList<>();
        for (Path root : roots) {
            discover(root, 0, folders);
        }
        Map<String, Path> labelled = new LinkedHashMap<>();
        for (Path folder : folders) {
            String label = label(roots, folder);
            // two workspaces of the same name (build1/x, build2/x) stay two runs: the second one by its path
            labelled.putIfAbsent(labelled.containsKey(label) && !labelled.get(label).equals(folder) ? folder.toString() : label, folder);
        }
        return readLabelled(labelled);
    }

    /** The runs in {@code folders} (label to .powerai folder or a copy of one), in the map's order, oldest first. */
    public static RunHistory readLabelled(Map<String, Path> folders) {
        List<Run> runs = new ArrayList<>();
        List<Drift> drifts = new ArrayList<>();
        Map<String, AuditRecord> records = new LinkedHashMap<>();
        Manifest previous = null;
        String previousLabel = null;
        for (Map.Entry<String, Path> entry : folders.entrySet()) {
            String label = entry.getKey();
            Path folder = entry.getValue();
            LineageChain chain = LineageChain.read(folder);
            Map<String, Double> metrics = Metrics.finalValues(Metrics.readPoints(folder.resolve("train/metrics.json")));
            runs.add(new Run(label, chain.node(LineageChain.Kind.TRAINING).time(), chain.node(LineageChain.Kind.TRAINING).status(),
                    chain.node(LineageChain.Kind.MODEL).digest(), metrics, chain.node(LineageChain.Kind.ENVIRONMENT).digest(),
                    chain.node(LineageChain.Kind.IMAGE).digest(), chain.node(LineageChain.Kind.DEPLOYMENT).status()));
            // Only consecutive runs that both archived their manifest are compared: a run without one is said to
            // lack it, never compared across (nor read as an empty environment, which would show every package added).
            Manifest manifest = Manifest.readIfPresent(folder.resolve(MANIFEST));
            if (previousLabel != null) {
                drifts.add(previous != null && manifest != null ? drift(previousLabel, previous, label, manifest)
                        : unknownDrift(previousLabel, previous != null, label, manifest != null));
            }
            previous = manifest;
            previousLabel = label;
            for (AuditRecord r : new AuditLog(folder.resolve("audit.jsonl"), Clock.systemUTC()).records()) {
                records.putIfAbsent(r.hash() == null ? label + "#" + r.seq() : r.hash(), r);
            }
        }
        return new RunHistory(runs, drifts, Deployments.fromRecords(new ArrayList<>(records.values())), List.of());
    }

    private static void discover(Path path, int depth, List<Path> out) {
        if (isRun(path)) {
            out.add(path);
            return;
        }
        if (isRun(path.resolve(Workspace.DIR_NAME))) {
            out.add(path.resolve(Workspace.DIR_NAME));
            return;
        }
        if (depth >= 3 || !Files.isDirectory(path) || Files.isSymbolicLink(path)) {
            return;
        }
        try (Stream<Path> children = Files.list(path)) {
            for (Path child : children.filter(Files::isDirectory).sorted(RunHistory::naturalOrder).toList()) {
                discover(child, depth + 1, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean isRun(Path folder) {
        return Files.isRegularFile(folder.resolve("audit.jsonl")) || Files.isRegularFile(folder.resolve("gpuTrain.json"));
    }

    /** Folder names with their digit runs compared as numbers: builds/9 before builds/10. */
    static int naturalOrder(Path a, Path b) {
        String x = a.getFileName().toString();
        String y = b.getFileName().toString();
        String px = x.replaceAll("\\d+", "");
        String py = y.replaceAll("\\d+", "");
        if (px.equals(py)) {
            String dx = x.replaceAll("\\D+", "");
            String dy = y.replaceAll("\\D+", "");
            if (!dx.isEmpty() && !dy.isEmpty() && dx.length() != dy.length()) {
                return Integer.compare(dx.length(), dy.length());
            }
        }
        return x.compareTo(y);
    }

    private static String label(List<Path> roots, Path folder) {
        for (Path root : roots) {
            if (folder.startsWith(root) && !folder.equals(root)) {
                String rel = root.relativize(folder).toString();
                if (rel.equals(Workspace.DIR_NAME)) { // the root is a workspace: named as its folder is
                    return root.getFileName() == null ? root.toString() : root.getFileName().toString();
                }
                return rel.endsWith(Workspace.DIR_NAME) && rel.length() > Workspace.DIR_NAME.length()
                        ? rel.substring(0, rel.length() - Workspace.DIR_NAME.length() - 1) : rel;
            }
        }
        return folder.toString();
    }

    private static Drift drift(String fromLabel, Manifest a, String toLabel, Manifest b) {
        ManifestDiff diff = ManifestDiff.of(fromLabel, a, toLabel, b);
        return new Drift(fromLabel, toLabel, diff.added().stream().map(p -> p.name() + " " + p.version()).toList(),
                diff.removed().stream().map(p -> p.name() + " " + p.version()).toList(),
                diff.changed().stream().map(c -> c.before().name() + " " + c.before().version() + " -> " + c.after().version()).toList(),
                null);
    }

    private static Drift unknownDrift(String fromLabel, boolean fromHasOne, String toLabel, boolean toHasOne) {
        String lacking = !fromHasOne && !toHasOne ? "neither run archived " : "run " + (fromHasOne ? toLabel : fromLabel) + " archived no ";
        return new Drift(fromLabel, toLabel, List.of(), List.of(), List.of(), "not compared: " + lacking + MANIFEST);
    }

    /**
     * The local containers the runs deployed to (their deploy records name them), in the order first named; only names
     * a local deployment gives its container, since the records are read from archives and reach the engine's command line.
     */
    public List<String> localContainers() {
        return deployments.stream().filter(d -> "local".equals(d.target()) && d.where() != null && CONTAINER.matcher(d.where()).matches())
                .map(Deployment::where).distinct().toList();
    }

    private static final java.util.regex.Pattern CONTAINER = java.util.regex.Pattern.compile("powerai-[a-z0-9][a-z0-9-]{0,62}");

    /**
     * This history with the records the local deployments' containers carry ({@link LocalRecord}), read from the
     * engine that runs them: they outlive cleared workspaces and builds whose archives are gone.
     */
    public RunHistory withOwnRecords(ContainerEngine engine) {
        List<LocalRecord> records = new ArrayList<>();
        for (String container : localContainers()) {
            engine.containerImage(container).ifPresent(image -> records.add(LocalRecord.of(container, image, engine.containerLabels(container))));
        }
        return new RunHistory(runs, drifts, deployments, List.copyOf(records));
    }

    /**
     * What served at one place at a time: {@code serving} as {@link Deployment#serving} holds it (a local container's
     * own record adds the model's metrics and since when it served), and where the answer comes from.
     */
    public record ServedAt(String at, String target, String where, List<Map<String, Object>> serving, String source) {
        public String line() {
            return "at " + at + " " + target + " " + where + " served: " + Deployments.describeServing(serving) + "  (" + source + ")";
        }
    }

    /**
     * What served at {@code at}, per place: a local container's own record where it reaches back that far, else the
     * last deploy record of the runs at or before that time.
     */
    public List<ServedAt> servedAt(Instant at) {
        List<ServedAt> out = new ArrayList<>();
        java.util.Set<String> answered = new java.util.HashSet<>();
        for (LocalRecord record : ownRecords) {
            LocalRecord.Served s = record.servedAt(at);
            if (s != null) {
                answered.add(record.container());
                Map<String, Object> version = new LinkedHashMap<>();
                version.put("image", s.image());
                if (s.modelSha256() != null) {
                    version.put("modelSha256", s.modelSha256());
                }
                if (s.metrics() != null) {
                    version.put("metrics", s.metrics());
                }
                version.put("since", s.since());
                out.add(new ServedAt(at.toString(), "local", record.container(), List.of(version),
                        "since " + s.since() + ", the container's own record"));
            }
        }
        Deployments.servingAt(deployments, at).forEach((where, d) -> {
            if (!answered.contains(where)) {
                out.add(new ServedAt(at.toString(), d.target(), where, d.serving(),
                        d.action() + " " + d.status() + " at " + d.time() + ", audit record " + d.seq()));
            }
        });
        return out;
    }

    /** {@link #servedAt} as lines, one saying so when nothing is known. */
    public List<String> servedAtLines(Instant at) {
        List<String> out = servedAt(at).stream().map(ServedAt::line).toList();
        return out.isEmpty() ? List.of("at " + at + ": no deployment of these runs is recorded at or before that time") : out;
    }

    private static String served(LocalRecord.Served s) {
        return Deployments.version(s.image(), s.modelSha256(), null, null) + (s.metrics() == null ? "" : " " + s.metrics());
    }

    /** Each metric over the runs (x = the run's position, 1 first), for {@code MetricsChart}. */
    public List<Metrics.Point> trend() {
        List<Metrics.Point> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            long run = i + 1;
            runs.get(i).metrics().forEach((name, value) -> out.add(new Metrics.Point(name, value, run)));
        }
        return out;
    }

    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("runs: " + runs.size());
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            out.add(String.format("%2d %s  train %s  model %s  snapshot %s  image %s  deploy %s  %s", i + 1, r.label(),
                    orDash(r.trainStatus()), orDash(shortDigest(r.modelSha256())), orDash(shortDigest(r.snapshotId())),
                    orDash(shortDigest(r.scoringImage())), orDash(r.deployStatus()), r.metrics()));
        }
        for (Drift d : drifts) {
            out.add("environment " + d.from() + " -> " + d.to() + ": " + (d.unknown() != null ? d.unknown() : d.none() ? "no drift"
                    : "added " + d.added() + ", removed " + d.removed() + ", changed " + d.changed()));
        }
        out.add("deployments: " + deployments.size());
        for (Deployment d : deployments) {
            out.add(d.time() + "  " + d.target() + " " + d.where() + "  " + d.status() + "  " + orDash(d.image())
                    + (d.note() == null ? "" : "  (" + d.note() + ")"));
        }
        for (LocalRecord record : ownRecords) {
            out.add("local " + record.container() + ", its own record (the container's labels): " + record.served().size() + " version(s)");
            for (LocalRecord.Served s : record.served()) {
                out.add("  " + orDash(s.since()) + " - " + (s.until() == null ? "now" : s.until()) + "  " + served(s));
            }
        }
        return out;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", 1);
        out.put("runs", runs);
        out.put("environmentDrift", drifts);
        out.put("deployments", deployments);
        out.put("ownRecords", ownRecords);
        return out;
    }

    public String toJson() {
        return Json.pretty(toMap());
    }

    private static String shortDigest(String digest) {
        if (digest == null) {
            return null;
        }
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    /** The label of the run whose deployment serves: the last one that deployed successfully; null when none did. */
    public String servingRun() {
        String serving = null;
        for (Run r : runs) {
            if ("succeeded".equals(r.deployStatus())) {
                serving = r.label();
            }
        }
        return serving;
    }
}
