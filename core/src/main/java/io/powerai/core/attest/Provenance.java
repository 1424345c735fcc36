package io.powerai.core.attest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-toto Statement v1 whose predicate is SLSA Provenance v1: what was built (the subjects, by SHA-256), from what
 * (the build definition) and by whom (the run details).
 */
public final class Provenance {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
    /** Our build types: one per stage, versioned; described in docs/supply-chain.md. */
    public static final String BUILD_TYPE_PREFIX = "urn:powerai:buildtype:";

    /** An artifact built, named as it is known (an image's name, a file's path) and its SHA-256 (hex). */
    public record Subject(String name, String sha256) {
    }

    /**
     * An input, as a SLSA ResourceDescriptor: a name and/or URI and its digests by algorithm ({@code sha256},
     * {@code gitCommit}); absent parts are left out.
     */
    public record Dependency(String name, String uri, Map<String, String> digest) {
        public Dependency {
            digest = digest == null ? Map.of() : new TreeMap<>(digest);
        }

        public static Dependency sha256(String name, String uri, String hex) {
            return new Dependency(name, uri, Map.of("sha256", strip(hex)));
        }
    }

    /**
     * What a stage did: the parameters a user controls ({@code external}), those powerai chose ({@code internal}), the
     * inputs by digest, and when.
     */
    public record Build(String stage, Map<String, Object> external, Map<String, Object> internal, List<Dependency> dependencies,
                        Instant startedOn, Instant finishedOn) {
        public Build {
            external = new TreeMap<>(external);
            internal = new TreeMap<>(internal);
            dependencies = List.copyOf(dependencies);
        }

        public String buildType() {
            return BUILD_TYPE_PREFIX + stage + ":v1";
        }
    }

    private Provenance() {
    }

    public static Map<String, Object> statement(List<Subject> subjects, Build build, Builder builder, String invocationId) {
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("a statement needs at least one subject");
        }
        List<Map<String, Object>> subjectJson = new ArrayList<>();
        for (Subject s : subjects) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", s.name());
            one.put("digest", Map.of("sha256", strip(s.sha256())));
            subjectJson.add(one);
        }
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("buildType", build.buildType());
        definition.put("externalParameters", build.external());
        definition.put("internalParameters", build.internal());
        definition.put("resolvedDependencies", build.dependencies().stream().map(Provenance::descriptor).toList());
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("invocationId", invocationId);
        metadata.put("startedOn", build.startedOn().toString());
        metadata.put("finishedOn", build.finishedOn().toString());
        Map<String, Object> runDetails = new LinkedHashMap<>();
        runDetails.put("builder", builder.toJson());
        runDetails.put("metadata", metadata);
        Map<String, Object> predicate = new LinkedHashMap<>();
        predicate.put("buildDefinition", definition);
        predicate.put("runDetails", runDetails);
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("_type", STATEMENT_TYPE);
        statement.put("subject", subjectJson);
        statement.put("predicateType", PREDICATE_TYPE);
        statement.put("predicate", predicate);
        return statement;
    }

    private static Map<String, Object> descriptor(Dependency d) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (d.name() != null) {
            out.put("name", d.name());
        }
        if (d.uri() != null) {
            out.put("uri", d.uri());
        }
        if (!d.digest().isEmpty()) {
            out.put("digest", d.digest());
        }
        return out;
    }

    /** "sha256:HEX" or "HEX" to "HEX": in-toto digests name the algorithm in the key. */
    static String strip(String digest) {
        return digest.startsWith("sha256:") ? digest.substring("sha256:".length()) : digest;
    }
}
