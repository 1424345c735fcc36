package io.powerai.core.python;

import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Digests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pip's requirements-file format, read as pip reads it: {@code \} continues a line, {@code #} after whitespace
 * starts a comment, {@code -r}/{@code -c} include requirement and constraint files (relative to the including
 * file), index options ({@code --index-url}, {@code --extra-index-url}, ...) apply to the whole install, and
 * {@code --hash} options pin a requirement's archives. Everything is collected (never thrown), so a caller
 * reports every problem of every file at once.
 *
 * <p>Included files must stay inside {@code root} (the project directory): a snapshot hashes every input
 * byte, and files outside the project are not part of it.
 */
public final class RequirementsFile {
    /** What a requirement line names. Only {@link #NAMED} lines (and files hashed into the snapshot) rebuild alike. */
    public enum Kind { NAMED, URL, VCS, EDITABLE, PATH }

    /** One requirement as written, with where it was written. */
    public record Line(String file, int number, String text, Kind kind, Requirement requirement, String target,
                       List<String> hashes, boolean constraint) {
        public Line {
            hashes = List.copyOf(hashes);
        }

        public String location() {
            return file + " line " + number;
        }

        /** The project name, normalized, when the line names one (PEP 508, or {@code #egg=} of a URL). */
        public String name() {
            return requirement == null ? null : requirement.normalizedName();
        }

        /** Why this line may install something else next time, or null when it pins what it installs. */
        public String notReproducible() {
            return switch (kind) {
                case NAMED -> null;
                case EDITABLE -> "an editable requirement installs whatever the source holds at build time";
                case VCS -> "a VCS requirement installs whatever the repository's ref points to at build time";
                case URL -> hashes.isEmpty() && !target.matches(".*#(sha256|sha384|sha512)=[0-9a-fA-F]+.*")
                        ? "a URL requirement without a hash installs whatever the URL serves at build time" : null;
                case PATH -> target.endsWith("/") || !RequirementTargets.looksLikeArchive(target)
                        ? "a local directory is built at build time with whatever build tools the index serves then" : null;
            };
        }
    }

    /** A problem or warning, one line: where, what was written, what rule it breaks. */
    public record Issue(String file, int line, String text, String message) {
        public String describe() {
            String where = file + (line > 0 ? " line " + line : "");
            return where + ": " + message + (text == null ? "" : "; got '" + text + "'");
        }
    }

    /** Everything the files said, includes flattened in order. */
    public record Result(List<Line> requirements, List<Line> constraints, List<String> options,
                         SortedMap<String, String> files, List<Issue> errors, List<Issue> warnings) {

        /** The file's requirements as one file, index options first, for an install that needs no other file. */
        public String renderFlattened(String header, Map<String, String> rewrittenTargets) {
            StringBuilder out = new StringBuilder(header);
            options.forEach(o -> out.append(o).append('\n'));
            for (Line line : requirements) {
                String target = rewrittenTargets.getOrDefault(line.target(), line.target());
                out.append(line.kind() == Kind.EDITABLE ? "-e " + target : target);
                line.hashes().forEach(h -> out.append(" \\\n    --hash=").append(h));
                out.append('\n');
            }
            return out.toString();
        }
    }

    private static final Pattern HASH = Pattern.compile("(sha256|sha384|sha512):([0-9a-fA-F]+)");
    private static final Map<String, Integer> HASH_HEX_LENGTH = Map.of("sha256", 64, "sha384", 96, "sha512", 128);
    /** Options that apply to the whole install; the value is whether they take an argument. */
    private static final Map<String, Boolean> GLOBAL_OPTIONS = Map.ofEntries(
            Map.entry("--index-url", true), Map.entry("--extra-index-url", true), Map.entry("--no-index", false),
            Map.entry("--find-links", true), Map.entry("--trusted-host", true), Map.entry("--pre", false),
            Map.entry("--prefer-binary", false), Map.entry("--require-hashes", false), Map.entry("--only-binary", true),
            Map.entry("--no-binary", true), Map.entry("--use-feature", true));
    private static final Map<String, String> SHORT = Map.of("-r", "--requirement", "-c", "--constraint", "-e", "--editable",
            "-i", "--index-url", "-f", "--find-links");

    private final Path root;
    private final List<Line> requirements = new ArrayList<>();
    private final List<Line> constraints = new ArrayList<>();
    private final Set<String> options = new LinkedHashSet<>();
    private final SortedMap<String, String> files = new TreeMap<>();
    private final List<Issue> errors = new ArrayList<>();
    private final List<Issue> warnings = new ArrayList<>();
    private final Deque<Path> including = new ArrayDeque<>();

    private RequirementsFile(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Reads {@code file} and everything it includes; paths in messages are relative to {@code root}. */
    public static Result parse(Path file, Path root) {
        RequirementsFile parser = new RequirementsFile(root);
        parser.readFile(file.toAbsolutePath().normalize(), false, null, 0);
        return parser.finish();
    }

    /**
     * Lines that are not a file of their own (a conda environment's {@code pip:} list): named {@code origin} in
     * messages; {@code -r} and local paths are relative to {@code baseDir}.
     */
    public static Result parseLines(String origin, List<String> lines, Path baseDir, Path root) {
        RequirementsFile parser = new RequirementsFile(root);
        int n = 0;
        for (String line : lines) {
            n++;
            parser.parseLine(origin, n, line, baseDir, false);
        }
        return parser.finish();
    }

    private Result finish() {
        errors.addAll(RequirementChecks.conflicts(requirements, constraints));
        errors.addAll(RequirementChecks.hashMode(options, requirements));
        return new Result(List.copyOf(requirements), List.copyOf(constraints), List.copyOf(options),
                files, List.copyOf(errors), List.copyOf(warnings));
    }

    private String relative(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString().replace('\\', '/') : abs.toString();
    }

    private void readFile(Path file, boolean asConstraints, String fromFile, int fromLine) {
        String name = relative(file);
        if (!file.startsWith(root)) {
            errors.add(new Issue(fromFile, fromLine, relative(file), "an included file must stay inside the project directory " + root));
            return;
        }
        Optional<String> refused = ProjectPaths.whyRefused(root, file);
        if (refused.isPresent()) {
            errors.add(new Issue(fromFile, fromLine, relative(file), "an included file must stay inside the project directory " + root
                    + " (links resolved): " + refused.get()));
            return;
        }
        if (including.contains(file)) {
            List<String> chain = new ArrayList<>();
            including.descendingIterator().forEachRemaining(p -> chain.add(relative(p)));
            chain.add(name);
            errors.add(new Issue(fromFile, fromLine, null, "include cycle: " + String.join(" -> ", chain)
                    + " (remove one of the -r/-c lines)"));
            return;
        }
        if (!Files.isRegularFile(file)) {
            errors.add(fromFile == null
                    ? new Issue(name, 0, null, "the requirements file does not exist")
                    : new Issue(fromFile, fromLine, name, "the included file does not exist (paths are relative to the including file)"));
            return;
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors.add(new Issue(name, 0, null, "cannot be read as UTF-8 text: " + e.getMessage()));
            return;
        }
        files.put(name, Digests.sha256(file));
        including.push(file);
        try {
            for (RequirementLines.Joined joined : RequirementLines.join(content)) {
                parseLine(name, joined.number(), joined.text(), file.getParent(), asConstraints);
            }
        } finally {
            including.pop();
        }
    }

    private void parseLine(String file, int number, String raw, Path dir, boolean asConstraint) {
        String line = RequirementLines.withoutComment(raw);
        if (line.isEmpty()) {
            return;
        }
        Optional<String> credential = UrlCredentials.find(line);
        if (credential.isPresent()) {
            // Checked first, and the line quoted only masked: every other message would echo the secret.
            errors.add(new Issue(file, number, null, "'" + credential.get() + "' carries a credential in the URL (rule: "
                    + UrlCredentials.rule() + ")"));
            return;
        }
        // pip's break_args_options: the requirement is every token before the first one that starts with '-'.
        String[] tokens = line.split(" ");
        StringBuilder args = new StringBuilder();
        int i = 0;
        for (; i < tokens.length && !tokens[i].startsWith("-"); i++) {
            args.append(tokens[i]).append(' ');
        }
        List<String> optionTokens = new ArrayList<>();
        for (; i < tokens.length; i++) {
            if (!tokens[i].isBlank()) {
                optionTokens.add(tokens[i].strip());
            }
        }
        String requirementText = args.toString().strip();
        if (requirementText.isEmpty()) {
            globalOption(file, number, line, optionTokens, dir, asConstraint);
            return;
        }
        List<String> hashes = new ArrayList<>();
        for (int k = 0; k < optionTokens.size(); k++) {
            String token = optionTokens.get(k);
            String value;
            if (token.startsWith("--hash=")) {
                value = token.substring("--hash=".length());
            } else if (token.equals("--hash") && k + 1 < optionTokens.size()) {
                value = optionTokens.get(++k);
            } else {
                errors.add(new Issue(file, number, line, "'" + token + "' is not an option a requirement line takes here"
                        + " (per-requirement options: --hash=sha256:HEX)"));
                return;
            }
            Matcher m = HASH.matcher(value);
            if (!m.matches() || m.group(2).length() != HASH_HEX_LENGTH.get(m.group(1))) {
                errors.add(new Issue(file, number, line, "--hash must be sha256:, sha384: or sha512: followed by the digest's "
                        + "64, 96 or 128 hex digits"));
                return;
            }
            hashes.add(m.group(1) + ":" + m.group(2).toLowerCase(Locale.ROOT));
        }
        addRequirement(file, number, line, requirementText, hashes, dir, asConstraint, false);
    }

    private void globalOption(String file, int number, String line, List<String> tokens, Path dir, boolean asConstraint) {
        String first = tokens.get(0);
        String option;
        String value = null;
        int eq = first.indexOf('=');
        if (first.startsWith("--") && eq > 0) {
            option = first.substring(0, eq);
            value = first.substring(eq + 1);
        } else if (!first.startsWith("--") && first.length() > 2 && SHORT.containsKey(first.substring(0, 2))) {
            option = SHORT.get(first.substring(0, 2));
            value = first.substring(2);
        } else {
            option = SHORT.getOrDefault(first, first);
        }
        int next = 1;
        boolean takesValue = switch (option) {
            case "--requirement", "--constraint", "--editable" -> true;
            default -> GLOBAL_OPTIONS.getOrDefault(option, false);
        };
        if (takesValue && value == null) {
            if (tokens.size() < 2) {
                errors.add(new Issue(file, number, line, option + " needs a value"));
                return;
            }
            value = tokens.get(1);
            next = 2;
        }
        if (option.equals("--editable")) {
            String rest = String.join(" ", tokens.subList(next, tokens.size()));
            if (!rest.isEmpty()) {
                value = value + " " + rest;
            }
            if (asConstraint) {
                errors.add(new Issue(file, number, line, "a constraints file cannot hold editable requirements"));
                return;
            }
            addRequirement(file, number, line, value, List.of(), dir, false, true);
            return;
        }
        if (tokens.size() > next) {
            errors.add(new Issue(file, number, line, "unexpected '" + String.join(" ", tokens.subList(next, tokens.size()))
                    + "' after " + option));
            return;
        }
        switch (option) {
            case "--requirement", "--constraint" -> {
                if (RequirementTargets.SCHEME.matcher(value).matches()) {
                    errors.add(new Issue(file, number, line, option + " must name a file in the project, not a URL"
                            + " (its content would not be part of the snapshot)"));
                    return;
                }
                Path target;
                try {
                    target = dir.resolve(value).toAbsolutePath().normalize();
                } catch (InvalidPathException e) {
                    errors.add(new Issue(file, number, line, option + " must name a valid path"));
                    return;
                }
                readFile(target, asConstraint || option.equals("--constraint"), file, number);
            }
            default -> {
                if (!GLOBAL_OPTIONS.containsKey(option)) {
                    errors.add(new Issue(file, number, line, "unknown option '" + option + "' (valid: -r, -c, -e, "
                            + String.join(", ", new java.util.TreeSet<>(GLOBAL_OPTIONS.keySet())) + ", and --hash after a requirement)"));
                    return;
                }
                if (option.equals("--trusted-host")) {
                    warnings.add(new Issue(file, number, line, "--trusted-host turns off TLS certificate checks for " + value
                            + ": a man in the middle could serve other packages"));
                }
                options.add(value == null ? option : option + " " + value);
            }
        }
    }

    private void addRequirement(String file, int number, String line, String text, List<String> hashes, Path dir,
                                boolean constraint, boolean editable) {
        Kind kind;
        Requirement requirement = null;
        String target = text;
        int at = text.indexOf('@');
        boolean pep508Url = at > 0 && PackageName.isValid(text.substring(0, at).replaceAll("\\[.*]", "").strip());
        try {
            if (pep508Url) {
                requirement = Requirement.parse(text);
                kind = RequirementTargets.VCS.matcher(requirement.url()).matches() ? Kind.VCS
                        : requirement.url().startsWith("file:") ? Kind.PATH : Kind.URL;
            } else if (RequirementTargets.SCHEME.matcher(text).matches() || RequirementTargets.VCS.matcher(text).matches()) {
                kind = RequirementTargets.VCS.matcher(text).matches() ? Kind.VCS : Kind.URL;
                requirement = RequirementTargets.nameFromUrl(text);
            } else if (editable || text.contains("/") || text.contains("\\") || text.startsWith(".")
                    || RequirementTargets.looksLikeArchive(text)) {
                kind = Kind.PATH;
                Path path;
                try {
                    path = dir.resolve(text.replaceAll("\\s*;.*$", "").replaceAll("\\[.*]$", "")).toAbsolutePath().normalize();
                } catch (InvalidPathException e) {
                    errors.add(new Issue(file, number, line, "must be a valid local path"));
                    return;
                }
                Optional<String> refused = path.startsWith(root) ? ProjectPaths.whyRefused(root, path) : Optional.of("");
                if (refused.isPresent()) {
                    errors.add(new Issue(file, number, line, "a local path must stay inside the project directory " + root
                            + (refused.get().isEmpty() ? "" : " (links resolved): " + refused.get())));
                    return;
                }
                if (!Files.exists(path)) {
                    errors.add(new Issue(file, number, line, "the local path " + relative(path)
                            + " does not exist (paths are relative to the requirements file)"));
                    return;
                }
                String rel = relative(path);
                boolean directory = Files.isDirectory(path);
                target = directory ? (rel.isEmpty() ? "./" : rel + "/") : rel;
                // A directory's tree is hashed without the workspace folder, which the snapshot itself writes.
                files.put(target, directory ? Digests.sha256OfTree(path, root, Set.of(".powerai"), "'" + file + "' line " + number)
                        : Digests.sha256(path));
            } else {
                requirement = Requirement.parse(text);
                kind = Kind.NAMED;
            }
        } catch (IllegalArgumentException e) {
            errors.add(new Issue(file, number, line, "must be a PEP 508 requirement: "
                    + RequirementTargets.stripQuotedText(e.getMessage(), text)));
            return;
        }
        if (editable) {
            kind = Kind.EDITABLE;
        }
        if (constraint && kind != Kind.NAMED) {
            errors.add(new Issue(file, number, line, "a constraint must name a project with version specifiers (no URL or path)"));
            return;
        }
        if (constraint && requirement != null && !requirement.extras().isEmpty()) {
            errors.add(new Issue(file, number, line, "a constraint cannot have extras"));
            return;
        }
        if (kind == Kind.NAMED) {
            target = requirement.toString();
        }
        Line parsed = new Line(file, number, line, kind, requirement, target, hashes, constraint);
        (constraint ? constraints : requirements).add(parsed);
    }
}
