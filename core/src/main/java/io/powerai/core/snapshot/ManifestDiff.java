package io.powerai.core.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What differs between two manifests: packages added, removed and changed (version; a conda package's build, or
 * an archive's hash, where both sides know it), the base image's digest, the OS and Python. Who installed a package
 * or from which channel is not compared: the same package from the same archive is the same environment. A conda
 * build is compared because it is part of what the package is (one version has CPU and CUDA builds).
 */
public record ManifestDiff(String labelA, String labelB, Manifest a, Manifest b,
                           List<Manifest.Package> added, List<Manifest.Package> removed, List<Change> changed,
                           List<Field> fields) {

    /** One package in both manifests, different. */
    public record Change(Manifest.Package before, Manifest.Package after) {
        public String what() {
            return !Objects.equals(before.version(), after.version()) ? "version" : differs(before.build(), after.build()) ? "build" : "hash";
        }
    }

    /** A top-level value that differs: base image digest, OS, Python version, CUDA... */
    public record Field(String name, String before, String after) {
    }

    public static ManifestDiff of(String labelA, Manifest a, String labelB, Manifest b) {
        Map<String, Manifest.Package> before = index(a);
        Map<String, Manifest.Package> after = index(b);
        List<Manifest.Package> added = new ArrayList<>();
        List<Manifest.Package> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        before.forEach((key, p) -> {
            Manifest.Package q = after.get(key);
            if (q == null) {
                removed.add(p);
            } else if (!Objects.equals(p.version(), q.version()) || differs(p.build(), q.build()) || differs(p.hash(), q.hash())) {
                changed.add(new Change(p, q));
            }
        });
        after.forEach((key, q) -> {
            if (!before.containsKey(key)) {
                added.add(q);
            }
        });
        List<Field> fields = new ArrayList<>();
        field(fields, "base image digest", a.baseImageDigest(), b.baseImageDigest());
        field(fields, "os", a.os().get("PRETTY_NAME"), b.os().get("PRETTY_NAME"));
        field(fields, "python", a.pythonVersion(), b.pythonVersion());
        field(fields, "cuda", a.cuda(), b.cuda());
        field(fields, "cudnn", a.cudnn(), b.cudnn());
        field(fields, "env", a.env().toString(), b.env().toString());
        return new ManifestDiff(labelA, labelB, a, b, added, removed, changed, fields);
    }

    /** Both known and not the same. */
    private static boolean differs(String a, String b) {
        return a != null && b != null && !a.equals(b);
    }

    private static void field(List<Field> fields, String name, String before, String after) {
        if (!Objects.equals(before, after)) {
            fields.add(new Field(name, before, after));
        }
    }

    private static Map<String, Manifest.Package> index(Manifest m) {
        Map<String, Manifest.Package> out = new TreeMap<>();
        m.packages().forEach(p -> out.put(p.key(), p));
        return out;
    }

    /** No drift: the same packages at the same versions (and hashes), on the same base, OS and Python. */
    public boolean identical() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && fields.isEmpty();
    }

    /** For people: a summary line, the differing fields, and one row per package change. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append("A: ").append(labelA).append(describe(a)).append('\n');
        out.append("B: ").append(labelB).append(describe(b)).append('\n');
        if (identical()) {
            out.append("no differences: ").append(a.packages().size()).append(" packages, same base, OS and Python\n");
            return out.toString();
        }
        for (Field f : fields) {
            out.append(f.name()).append(": ").append(show(f.before())).append(" -> ").append(show(f.after())).append('\n');
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CHANGE", "SOURCE", "PACKAGE", "A", "B"});
        removed.forEach(p -> rows.add(new String[] {"removed", p.source(), p.name(), p.version(), "-"}));
        added.forEach(p -> rows.add(new String[] {"added", p.source(), p.name(), "-", p.version()}));
        changed.forEach(c -> rows.add(new String[] {"changed", c.before().source(), c.before().name(), shown(c, c.before()),
                shown(c, c.after())}));
        if (rows.size() > 1) {
            int[] width = new int[5];
            rows.forEach(r -> {
                for (int i = 0; i < 5; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            });
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < 5; i++) {
                    line.append(i == 4 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
        }
        out.append(added.size() + removed.size() + changed.size()).append(" package difference(s): ").append(added.size())
                .append(" added, ").append(removed.size()).append(" removed, ").append(changed.size()).append(" changed\n");
        return out.toString();
    }

    /** The version, with what changed beside it when the version did not: the conda build or the hash. */
    private static String shown(Change c, Manifest.Package p) {
        return switch (c.what()) {
            case "build" -> p.version() + "=" + p.build();
            case "hash" -> p.version() + " " + shortHash(p.hash());
            default -> p.version();
        };
    }

    private static String describe(Manifest m) {
        return m.snapshotId() == null ? "" : " (snapshot " + m.snapshotId().substring(0, Math.min(12, m.snapshotId().length())) + ")";
    }

    private static String show(String value) {
        return value == null ? "(none)" : value;
    }

    private static String shortHash(String hash) {
        return hash == null ? "" : hash.substring(0, Math.min(hash.length(), 19));
    }

    /** For machines: the same, as a JSON object with {@code schemaVersion}. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", 1);
        out.put("a", side(labelA, a));
        out.put("b", side(labelB, b));
        out.put("identical", identical());
        List<Object> f = new ArrayList<>();
        fields.forEach(x -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("field", x.name());
            m.put("a", x.before());
            m.put("b", x.after());
            f.add(m);
        });
        out.put("fields", f);
        out.put("added", added.stream().map(ManifestDiff::pkg).toList());
        out.put("removed", removed.stream().map(ManifestDiff::pkg).toList());
        out.put("changed", changed.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", c.before().source());
            m.put("name", c.before().name());
            m.put("a", pkg(c.before()));
            m.put("b", pkg(c.after()));
            return (Object) m;
        }).toList());
        return out;
    }

    private static Map<String, Object> side(String label, Manifest m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("label", label);
        if (m.snapshotId() != null) {
            out.put("snapshotId", m.snapshotId());
        }
        if (m.baseImageDigest() != null) {
            out.put("baseImageDigest", m.baseImageDigest());
        }
        out.put("packages", m.packages().size());
        return out;
    }

    private static Map<String, Object> pkg(Manifest.Package p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", p.source());
        m.put("name", p.name());
        m.put("version", p.version());
        if (p.build() != null) {
            m.put("build", p.build());
        }
        if (p.hash() != null) {
            m.put("hash", p.hash());
        }
        return m;
    }
}
