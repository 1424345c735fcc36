package io.powerai.core.python;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Comma-separated specifier clauses, all of which must match. As in pip, pre-releases match only when a clause
 * asks for one or the caller allows them (an installed pre-release is judged with {@code prereleases = true}).
 */
public final class SpecifierSet {
    public static final SpecifierSet ANY = new SpecifierSet(List.of());

    private final List<Specifier> clauses;

    private SpecifierSet(List<Specifier> clauses) {
        this.clauses = List.copyOf(clauses);
    }

    public static SpecifierSet parse(String text) {
        if (text == null || text.isBlank()) {
            return ANY;
        }
        List<Specifier> clauses = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("'" + text.strip() + "' has an empty clause (clauses are separated by single commas)");
            }
            clauses.add(Specifier.parse(part));
        }
        return new SpecifierSet(clauses);
    }

    public List<Specifier> clauses() {
        return clauses;
    }

    public boolean isEmpty() {
        return clauses.isEmpty();
    }

    /** The version of the single exact pin ({@code ==V} or {@code ===V}), or null when not pinned to one version. */
    public String pinnedVersion() {
        List<Specifier> pins = clauses.stream().filter(Specifier::isPin).toList();
        if (pins.size() != 1) {
            return null;
        }
        Specifier pin = pins.get(0);
        return pin.version() == null ? pin.versionText() : pin.version().toString();
    }

    public boolean contains(Version candidate) {
        return contains(candidate, clauses.stream().anyMatch(Specifier::wantsPrereleases));
    }

    public boolean contains(Version candidate, boolean prereleases) {
        if (candidate.isPrerelease() && !prereleases) {
            return false;
        }
        return clauses.stream().allMatch(c -> c.contains(candidate));
    }

    /** Normalized, clauses sorted (as pip prints them), so equal sets print alike. */
    @Override
    public String toString() {
        return clauses.stream().map(Specifier::toString).sorted(Comparator.naturalOrder()).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecifierSet other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
