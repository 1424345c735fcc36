package io.powerai.core.python;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.powerai.core.json.Digests;
import io.powerai.core.json.YamlFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A conda {@code environment.yml}: {@code name}, {@code channels}, {@code dependencies} as conda match specs
 * ({@code numpy}, {@code numpy=1.26}, {@code numpy>=1.20,<2}, {@code conda-forge::numpy=1.26.4=py311h64a7726_0},
 * {@code numpy 1.26.* py311*}), with a {@code pip:} list read as pip requirement lines, and {@code variables}.
 * Problems are collected, never thrown.
 */
public record CondaEnvironment(String name, List<String> channels, List<MatchSpec> dependencies,
                               RequirementsFile.Result pip, SortedMap<String, String> variables,
                               SortedMap<String, String> files, List<RequirementsFile.Issue> errors) {

    /** The channel entry that keeps {@code conda env create/update} from adding the configured channels to the file's. */
    public static final String NODEFAULTS = "nodefaults";
    public static final Set<String> KEYS = Set.of("name", "channels", "dependencies", "variables", "prefix");
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern SPEC = Pattern.compile(
            "(?:(?<channel>[A-Za-z0-9_.\\-/:]+)::)?(?<name>[A-Za-z0-9_][A-Za-z0-9_.\\-]*)(?<rest>.*)");
    private static final Pattern BUILD = Pattern.compile("[A-Za-z0-9_.*+]+");
    private static final Pattern CONSTRAINT = Pattern.compile("(==|!=|>=|<=|~=|>|<|=)?([A-Za-z0-9*][A-Za-z0-9_.*+!]*)");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public CondaEnvironment {
        channels = List.copyOf(channels);
        dependencies = List.copyOf(dependencies);
        errors = List.copyOf(errors);
    }

    /**
     * One conda match spec. {@code version} is the constraint as written ({@code 1.26.4}, {@code >=1.20,<2},
     * {@code 1.26.*}) or null; exact when written {@code ==V} or {@code =V=BUILD}.
     */
    public record MatchSpec(String channel, String name, String version, String build, String text) {
        public boolean isExact() {
            return version != null && (text.contains("==") || build != null) && !version.contains("*")
                    && !version.matches(".*[<>!~,|].*");
        }

        public String exactVersion() {
            return isExact() ? version.replaceFirst("^==?", "") : null;
        }

        /** As a lock or an install names it: {@code [channel::]name[=version[=build]]}. */
        public String pinned() {
            StringBuilder out = new StringBuilder(channel == null ? "" : channel + "::").append(name);
            if (version != null) {
                out.append('=').append(version.replaceFirst("^==?", ""));
                if (build != null) {
                    out.append('=').append(build);
                }
            }
            return out.toString();
        }

        /** Parses {@code text}; the message says what a match spec looks like. */
        public static MatchSpec parse(String text) {
            String t = text.strip();
            if (t.contains("[")) {
                throw new IllegalArgumentException("the bracket form name[key=value] is not supported here; write name=version=build");
            }
            Matcher m = SPEC.matcher(t);
            if (t.isEmpty() || !m.matches()) {
                throw new IllegalArgumentException("must be a conda match spec like numpy, numpy=1.26.4, numpy>=1.20,<2,"
                        + " conda-forge::numpy=1.26.4=py311h64a7726_0");
            }
            String rest = m.group("rest");
            String version = null;
            String build = null;
            if (rest.startsWith(" ")) {
                String[] parts = rest.strip().split("\\s+");
                if (parts.length > 2) {
                    throw new IllegalArgumentException("takes at most a version and a build after the name");
                }
                version = parts[0];
                build = parts.length == 2 ? parts[1] : null;
            } else if (!rest.isEmpty()) {
                if ("=<>!~".indexOf(rest.charAt(0)) < 0) {
                    throw new IllegalArgumentException("the name may hold only letters, digits, '_', '.', '-'");
                }
                // name=VERSION=BUILD: the second single '=' (not part of an operator) starts the build.
                Matcher b = Pattern.compile("^(=[^=<>!~]+)=([^=]+)$").matcher(rest);
                if (b.matches()) {
                    version = b.group(1).substring(1);
                    build = b.group(2);
                } else {
                    version = rest.startsWith("=") && !rest.startsWith("==") ? rest.substring(1) : rest;
                }
            }
            if (version != null) {
                for (String clause : version.split("[,|]", -1)) {
                    if (!CONSTRAINT.matcher(clause.strip()).matches()) {
                        throw new IllegalArgumentException("'" + version + "' is not a conda version constraint (like 1.26.4, 1.26.*, >=1.20,<2)");
                    }
                }
            }
            if (build != null && !BUILD.matcher(build).matches()) {
                throw new IllegalArgumentException("'" + build + "' is not a conda build string");
            }
            return new MatchSpec(m.group("channel"), m.group("name").toLowerCase(java.util.Locale.ROOT), version, build, t);
        }
    }

    /** Reads {@code file}; paths in messages are relative to {@code root}. */
    public static CondaEnvironment parse(Path file, Path root) {
        Path abs = file.toAbsolutePath().normalize();
        Path rootAbs = root.toAbsolutePath().normalize();
        String rel = rootAbs.relativize(abs).toString().replace('\\', '/');
        List<RequirementsFile.Issue> errors = new ArrayList<>();
        SortedMap<String, String> files = new TreeMap<>();
        Object tree;
        try {
            String text = YamlFiles.readText(abs, rel);
            files.put(rel, Digests.sha256(abs));
            java.util.Optional<String> alias = YamlFiles.anchorOrAlias(text);
            if (alias.isPresent()) {
                errors.add(new RequirementsFile.Issue(rel, 0, null, alias.get() + ": " + YamlFiles.aliasRule()));
                return empty(errors, files);
            }
            tree = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            errors.add(new RequirementsFile.Issue(rel, at == null ? 0 : at.getLineNr(), null, "invalid YAML"
                    + (at == null ? "" : " at column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("parse error")));
            return empty(errors, files);
        } catch (IOException e) {
            errors.add(new RequirementsFile.Issue(rel, 0, null, "cannot be read: " + e.getMessage()));
            return empty(errors, files);
        }
        if (!(tree instanceof Map<?, ?> map)) {
            errors.add(new RequirementsFile.Issue(rel, 0, null, "must be a map with " + String.join(", ", new TreeSet<>(KEYS))));
            return empty(errors, files);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        map.forEach((k, v) -> top.put(String.valueOf(k), v));
        for (String key : new TreeSet<>(top.keySet())) {
            if (!KEYS.contains(key)) {
                errors.add(new RequirementsFile.Issue(rel, 0, null, "unknown key '" + key + "'. Valid keys: "
                        + String.join(", ", new TreeSet<>(KEYS))));
            }
        }
        if (top.containsKey("prefix")) {
            errors.add(new RequirementsFile.Issue(rel, 0, String.valueOf(top.get("prefix")),
                    "'prefix' names a path on the machine that exported it; remove it (the image installs into its base environment)"));
        }
        String name = top.get("name") == null ? null : String.valueOf(top.get("name"));
        List<String> channels = new ArrayList<>();
        Object ch = top.get("channels");
        if (ch instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof String s && UrlCredentials.find(s).isPresent()) {
                    errors.add(new RequirementsFile.Issue(rel, 0, null, "channel '" + UrlCredentials.mask(s)
                            + "' carries a credential in the URL (rule: " + UrlCredentials.rule() + ")"));
                } else if (c instanceof String s && !s.isBlank() && !s.contains(" ")) {
                    channels.add(s);
                } else {
                    errors.add(new RequirementsFile.Issue(rel, 0, String.valueOf(c), "'channels' must be a list of channel names or URLs"));
                }
            }
        } else if (ch != null) {
            errors.add(new RequirementsFile.Issue(rel, 0, null, "'channels' must be a list"));
        }
        SortedMap<String, String> variables = new TreeMap<>();
        Object vars = top.get("variables");
        if (vars instanceof Map<?, ?> vm) {
            vm.forEach((k, v) -> {
                if (!ENV_NAME.matcher(String.valueOf(k)).matches() || v instanceof Map || v instanceof List) {
                    errors.add(new RequirementsFile.Issue(rel, 0, String.valueOf(k), "'variables' must map variable names to values"));
                } else {
                    variables.put(String.valueOf(k), String.valueOf(v));
                }
            });
        } else if (vars != null) {
            errors.add(new RequirementsFile.Issue(rel, 0, null, "'variables' must be a map"));
        }
        List<MatchSpec> deps = new ArrayList<>();
        RequirementsFile.Result pip = null;
        Object d = top.get("dependencies");
        if (d == null) {
            errors.add(new RequirementsFile.Issue(rel, 0, null, "'dependencies' is required (a list of conda match specs)"));
        } else if (!(d instanceof List<?> list)) {
            errors.add(new RequirementsFile.Issue(rel, 0, null, "'dependencies' must be a list of conda match specs"));
        } else {
            int index = 0;
            for (Object item : list) {
                index++;
                if (item instanceof String || item instanceof Number) {
                    String text = String.valueOf(item);
                    if (UrlCredentials.find(text).isPresent()) {
                        errors.add(new RequirementsFile.Issue(rel, 0, null, "dependency " + index + " '" + UrlCredentials.mask(text)
                                + "' carries a credential in the URL (rule: " + UrlCredentials.rule() + ")"));
                        continue;
                    }
                    try {
                        deps.add(MatchSpec.parse(text));
                    } catch (IllegalArgumentException e) {
                        errors.add(new RequirementsFile.Issue(rel, 0, text, "dependency " + index + " " + e.getMessage()));
                    }
                } else if (item instanceof Map<?, ?> sub && sub.size() == 1 && sub.containsKey("pip") && sub.get("pip") instanceof List<?> pipList) {
                    List<String> lines = pipList.stream().map(String::valueOf).toList();
                    pip = RequirementsFile.parseLines(rel + " pip:", lines, abs.getParent(), rootAbs);
                    errors.addAll(pip.errors());
                    files.putAll(pip.files());
                } else {
                    errors.add(new RequirementsFile.Issue(rel, 0, null, "dependency " + index
                            + " must be a match spec or a 'pip:' list of requirements"));
                }
            }
            boolean pipListed = deps.stream().anyMatch(s -> s.name().equals("pip"));
            if (pip != null && !pip.requirements().isEmpty() && !pipListed) {
                errors.add(new RequirementsFile.Issue(rel, 0, null, "a 'pip:' list needs 'pip' among the dependencies"
                        + " (conda installs pip first, then the list with it)"));
            }
        }
        return new CondaEnvironment(name, channels, deps, pip, variables, files, errors);
    }

    private static CondaEnvironment empty(List<RequirementsFile.Issue> errors, SortedMap<String, String> files) {
        return new CondaEnvironment(null, List.of(), List.of(), null, new TreeMap<>(), files, errors);
    }

    /**
     * A conda lock, {@code environment.lock.yml}, as canonical YAML: each package {@code [channel::]name=version=build}
     * sorted by name, the channels, and {@code nodefaults} last, so that conda consults these channels only and not
     * those configured where it runs (an unreachable one fails the whole install). A package named with its channel
     * comes from that channel whatever the channels' order and priority. The same packages give the same bytes.
     *
     * @param header the comment lines at the top, each without its {@code "# "}
     */
    public static String renderLock(List<String> header, String name, List<String> channels, List<MatchSpec> packages) {
        StringBuilder out = new StringBuilder();
        header.forEach(line -> out.append("# ").append(line).append('\n'));
        out.append("name: ").append(name == null ? "base" : name).append('\n');
        out.append("channels:\n");
        channels.stream().distinct().filter(c -> !c.equals(NODEFAULTS)).forEach(c -> out.append("  - ").append(c).append('\n'));
        out.append("  - ").append(NODEFAULTS).append('\n');
        out.append("dependencies:\n");
        packages.stream()
                .sorted(java.util.Comparator.comparing(MatchSpec::name))
                .forEach(p -> out.append("  - ").append(p.pinned()).append('\n'));
        return out.toString();
    }

    /**
     * The channels to install pinned packages from: each package's own ({@code packageChannels}, in order); where one
     * is unknown (null), all of {@code environmentChannels} too.
     */
    public static List<String> installChannels(List<String> packageChannels, List<String> environmentChannels) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        packageChannels.stream().filter(java.util.Objects::nonNull).forEach(out::add);
        if (packageChannels.contains(null)) {
            out.addAll(environmentChannels);
        }
        return List.copyOf(out);
    }
}
