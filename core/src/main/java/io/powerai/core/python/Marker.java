package io.powerai.core.python;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A PEP 508 environment marker ({@code python_version < "3.8" and sys_platform == "linux"}), parsed with the
 * PEP's grammar ({@code and} binds tighter than {@code or}; parentheses group) and evaluated against a marker
 * environment. Comparisons use PEP 440 when the right side is a version, else string comparison, as pip does.
 */
public final class Marker {
    /** The variables of PEP 508, with the dotted spellings that older packages still use. */
    public static final Set<String> VARIABLES = Set.of(
            "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
            "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
            "implementation_name", "implementation_version", "extra");
    private static final Map<String, String> ALIASES = Map.of(
            "os.name", "os_name",
            "sys.platform", "sys_platform",
            "platform.version", "platform_version",
            "platform.machine", "platform_machine",
            "platform.python_implementation", "platform_python_implementation",
            "python_implementation", "platform_python_implementation");

    private sealed interface Node permits Compare, And, Or { }

    private record Value(String text, boolean variable) {
        @Override
        public String toString() {
            return variable ? text : '"' + text + '"';
        }
    }

    private record Compare(Value left, String op, Value right) implements Node { }

    private record And(Node left, Node right) implements Node { }

    private record Or(Node left, Node right) implements Node { }

    private final Node root;

    private Marker(Node root) {
        this.root = root;
    }

    /** Parses {@code text}; the message says where the grammar broke. */
    public static Marker parse(String text) {
        Parser p = new Parser(text);
        Node node = p.or();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("expected 'and', 'or' or the end of the marker");
        }
        return new Marker(node);
    }

    /** Whether the marker holds in {@code environment} (variable name to value; 'extra' defaults to ""). */
    public boolean evaluate(Map<String, String> environment) {
        return evaluate(root, environment);
    }

    private static boolean evaluate(Node node, Map<String, String> env) {
        if (node instanceof And and) {
            return evaluate(and.left(), env) && evaluate(and.right(), env);
        }
        if (node instanceof Or or) {
            return evaluate(or.left(), env) || evaluate(or.right(), env);
        }
        Compare c = (Compare) node;
        String left = resolve(c.left(), env);
        String right = resolve(c.right(), env);
        if (isExtra(c.left()) || isExtra(c.right())) {
            left = PackageName.normalize(left);
            right = PackageName.normalize(right);
        }
        return compare(left, c.op(), right);
    }

    private static boolean isExtra(Value v) {
        return v.variable() && v.text().equals("extra");
    }

    private static String resolve(Value v, Map<String, String> env) {
        if (!v.variable()) {
            return v.text();
        }
        String value = env.get(v.text());
        if (value == null) {
            if (v.text().equals("extra")) {
                return "";
            }
            throw new IllegalArgumentException("the marker environment has no value for '" + v.text() + "'");
        }
        return value;
    }

    private static boolean compare(String left, String op, String right) {
        switch (op) {
            case "in":
                return right.contains(left);
            case "not in":
                return !right.contains(left);
            default:
                break;
        }
        Version candidate = Version.tryParse(left);
        if (candidate != null) {
            try {
                return Specifier.parse(op + right).contains(candidate);
            } catch (IllegalArgumentException notAVersion) {
                // compared as strings below
            }
        }
        int c = left.compareTo(right);
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> throw new IllegalArgumentException("'" + op + "' compares versions only; '" + left + "' " + op + " '" + right
                    + "' is not a version comparison");
        };
    }

    /** Normalized: double quotes, single spaces, and parentheses only where they change the grouping. */
    @Override
    public String toString() {
        return render(root, false);
    }

    private static String render(Node node, boolean insideAnd) {
        if (node instanceof Compare c) {
            return c.left() + " " + c.op() + " " + c.right();
        }
        if (node instanceof And and) {
            return render(and.left(), true) + " and " + render(and.right(), true);
        }
        Or or = (Or) node;
        String text = render(or.left(), false) + " or " + render(or.right(), false);
        return insideAnd ? "(" + text + ")" : text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Marker other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    private static final class Parser {
        private static final List<String> OPERATORS = List.of("===", "==", "!=", "<=", ">=", "~=", "<", ">");
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Node or() {
            Node left = and();
            while (keyword("or")) {
                left = new Or(left, and());
            }
            return left;
        }

        Node and() {
            Node left = expression();
            while (keyword("and")) {
                left = new And(left, expression());
            }
            return left;
        }

        Node expression() {
            skipSpace();
            if (peek('(')) {
                pos++;
                Node inner = or();
                skipSpace();
                if (!peek(')')) {
                    throw error("expected ')'");
                }
                pos++;
                return inner;
            }
            Value left = value();
            String op = operator();
            Value right = value();
            return new Compare(left, op, right);
        }

        private Value value() {
            skipSpace();
            if (atEnd()) {
                throw error("expected a marker variable or a quoted string");
            }
            char quote = text.charAt(pos);
            if (quote == '\'' || quote == '"') {
                int end = text.indexOf(quote, pos + 1);
                if (end < 0) {
                    throw error("unterminated string");
                }
                String s = text.substring(pos + 1, end);
                pos = end + 1;
                return new Value(s, false);
            }
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == '.')) {
                pos++;
            }
            String name = text.substring(start, pos);
            if (name.isEmpty()) {
                throw error("expected a marker variable or a quoted string");
            }
            String canonical = ALIASES.getOrDefault(name, name);
            if (!VARIABLES.contains(canonical)) {
                pos = start;
                throw error("unknown marker variable '" + name + "' (valid: " + String.join(", ", new TreeSet<>(VARIABLES)) + ")");
            }
            return new Value(canonical, true);
        }

        private String operator() {
            skipSpace();
            for (String op : OPERATORS) {
                if (text.startsWith(op, pos)) {
                    pos += op.length();
                    if (pos < text.length() && "<>=!~".indexOf(text.charAt(pos)) >= 0) {
                        pos -= op.length();
                        break;
                    }
                    return op;
                }
            }
            if (keyword("in")) {
                return "in";
            }
            int save = pos;
            if (keyword("not")) {
                if (keyword("in")) {
                    return "not in";
                }
                pos = save;
            }
            throw error("expected a comparison operator (== != < <= > >= ~= === in, not in)");
        }

        private boolean keyword(String word) {
            skipSpace();
            if (text.startsWith(word, pos)) {
                int end = pos + word.length();
                boolean boundary = end >= text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
                if (boundary) {
                    pos = end;
                    return true;
                }
            }
            return false;
        }

        void skipSpace() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid marker '" + text.strip() + "' at column " + (pos + 1) + ": " + what);
        }
    }

    /** The marker environment of a Linux CPython, from its version: what a snapshot image's python reports. */
    public static Map<String, String> linuxEnvironment(String pythonFullVersion, String machine) {
        String[] parts = pythonFullVersion.split("\\.");
        String short2 = parts.length >= 2 ? parts[0] + "." + parts[1] : pythonFullVersion;
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[] {"python_version", short2});
        pairs.add(new String[] {"python_full_version", pythonFullVersion});
        pairs.add(new String[] {"os_name", "posix"});
        pairs.add(new String[] {"sys_platform", "linux"});
        pairs.add(new String[] {"platform_system", "Linux"});
        pairs.add(new String[] {"platform_machine", machine});
        pairs.add(new String[] {"platform_python_implementation", "CPython"});
        pairs.add(new String[] {"implementation_name", "cpython"});
        pairs.add(new String[] {"implementation_version", pythonFullVersion});
        pairs.add(new String[] {"platform_release", ""});
        pairs.add(new String[] {"platform_version", ""});
        Map<String, String> env = new java.util.TreeMap<>();
        pairs.forEach(p -> env.put(p[0], p[1]));
        return env;
    }
}
