package io.powerai.core.python;

import io.powerai.core.python.RequirementsFile.Issue;
import io.powerai.core.python.RequirementsFile.Kind;
import io.powerai.core.python.RequirementsFile.Line;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What pip would refuse about a whole set of requirements, found before the build. */
final class RequirementChecks {
    private RequirementChecks() {
    }

    /** The same project pinned to two versions (under the same marker) cannot be installed: say where both pins are. */
    static List<Issue> conflicts(List<Line> requirements, List<Line> constraints) {
        List<Issue> errors = new ArrayList<>();
        Map<String, Line> firstPin = new LinkedHashMap<>();
        List<Line> all = new ArrayList<>(requirements);
        all.addAll(constraints);
        for (Line line : all) {
            if (line.kind() != Kind.NAMED || !line.requirement().isPinned()) {
                continue;
            }
            String key = line.name() + ";" + line.requirement().marker();
            Line earlier = firstPin.putIfAbsent(key, line);
            if (earlier == null) {
                continue;
            }
            String a = earlier.requirement().specifier().pinnedVersion();
            String b = line.requirement().specifier().pinnedVersion();
            Version va = Version.tryParse(a);
            Version vb = Version.tryParse(b);
            boolean same = va != null && vb != null ? va.equals(vb) : a.equalsIgnoreCase(b);
            if (!same) {
                errors.add(new Issue(line.file(), line.number(), line.text(), "conflicting pins: " + line.name() + " is pinned to "
                        + b + " here and to " + a + " at " + earlier.location() + "; pin it to one version"));
            }
        }
        return errors;
    }

    /** In hash-checking mode pip refuses any requirement that is not pinned with == and hashed: say so now. */
    static List<Issue> hashMode(Collection<String> options, List<Line> requirements) {
        List<Issue> errors = new ArrayList<>();
        boolean hashMode = options.contains("--require-hashes") || requirements.stream().anyMatch(l -> !l.hashes().isEmpty());
        if (!hashMode) {
            return errors;
        }
        for (Line line : requirements) {
            if (line.kind() == Kind.NAMED && (!line.requirement().isPinned() || line.hashes().isEmpty())) {
                errors.add(new Issue(line.file(), line.number(), line.text(), "in hash-checking mode (a --hash or --require-hashes"
                        + " elsewhere) every requirement must be pinned with == and carry --hash, as pip requires"));
            }
        }
        return errors;
    }
}
