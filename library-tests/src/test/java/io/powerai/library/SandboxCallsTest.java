package io.powerai.library;

import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ClassExpression;
import org.codehaus.groovy.ast.expr.ConstructorCallExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.ForStatement;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.syntax.Types;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The library stays sandbox-safe (a folder library runs in script-security's sandbox): every call in vars/ and src/
 * is a step, a call of the library's own code, or listed in sandbox/allowed-calls.txt with the whitelist line that
 * allows it. The scan reads the Groovy AST after name resolution, so a class is named as the sandbox names it.
 */
public class SandboxCallsTest {

    private static final Path ROOT = LibraryPipelineTest.LIBRARY_ROOT;

    /** Every call of the Groovy sources under {@code roots}, named as allowed-calls.txt names them, with where. */
    static SortedMap<String, SortedSet<String>> calls(Path... roots) throws IOException {
        CompilationUnit unit = new CompilationUnit(new CompilerConfiguration(), null,
                new groovy.lang.GroovyClassLoader(SandboxCallsTest.class.getClassLoader()));
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                files.addAll(walk.filter(p -> p.toString().endsWith(".groovy")).sorted().collect(Collectors.toList()));
            }
        }
        files.forEach(f -> unit.addSource(f.toFile()));
        unit.compile(Phases.SEMANTIC_ANALYSIS);
        Set<String> ownClasses = new TreeSet<>();
        unit.iterator().forEachRemaining(source -> source.getAST().getClasses().forEach(c -> ownClasses.add(c.getName())));
        SortedMap<String, SortedSet<String>> found = new TreeMap<>();
        unit.iterator().forEachRemaining(source -> {
            ModuleNode module = source.getAST();
            for (ClassNode type : module.getClasses()) {
                new Scanner(source, ownClasses, (call, line) -> {
                    if (line > 0) { // nodes without a line are Groovy's own, e.g. the run() of a script class
                        found.computeIfAbsent(call, k -> new TreeSet<>()).add(Path.of(source.getName()).getFileName() + ":" + line);
                    }
                }).visitClass(type);
            }
        });
        return found;
    }

    /** CALL -> whitelist entry, from allowed-calls.txt. */
    static SortedMap<String, String> allowed() throws IOException {
        SortedMap<String, String> allowed = new TreeMap<>();
        try (var in = SandboxCallsTest.class.getResourceAsStream("/sandbox/allowed-calls.txt")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\|");
                assertEquals("CALL | WHAT | WHERE: " + line, 3, parts.length);
                String where = parts[2].strip();
                assertTrue("each entry names where it is allowed: " + line,
                        where.matches("(generic-whitelist|SandboxInterceptor.java):[0-9]+") || where.equals("workflow-cps"));
                allowed.put(parts[0].strip(), parts[1].strip());
            }
        }
        return allowed;
    }

    private interface Sink {
        void call(String call, int line);
    }

    /** Names each call as the sandbox would check it: constructors, static calls, dynamic calls, operators, loops. */
    private static final class Scanner extends ClassCodeVisitorSupport {
        private final SourceUnit source;
        private final Set<String> ownClasses;
        private final Sink sink;

        Scanner(SourceUnit source, Set<String> ownClasses, Sink sink) {
            this.source = source;
            this.ownClasses = ownClasses;
            this.sink = sink;
        }

        @Override
        protected SourceUnit getSourceUnit() {
            return source;
        }

        private boolean own(ClassNode type) {
            return ownClasses.contains(type.getName());
        }

        @Override
        public void visitConstructorCallExpression(ConstructorCallExpression call) {
            if (!own(call.getType())) {
                sink.call("new " + call.getType().getName(), call.getLineNumber());
            }
            super.visitConstructorCallExpression(call);
        }

        @Override
        public void visitStaticMethodCallExpression(StaticMethodCallExpression call) {
            if (!own(call.getOwnerType())) {
                sink.call("static " + call.getOwnerType().getName() + " " + call.getMethod(), call.getLineNumber());
            }
            super.visitStaticMethodCallExpression(call);
        }

        @Override
        public void visitMethodCallExpression(MethodCallExpression call) {
            String name = call.getMethodAsString();
            if (call.getObjectExpression() instanceof ClassExpression type) {
                if (!own(type.getType())) {
                    sink.call("static " + type.getType().getName() + " " + name + overload(type.getType(), name, call), call.getLineNumber());
                }
            } else if (call.getObjectExpression() instanceof VariableExpression receiver && receiver.getName().equals("script")) {
                sink.call("step " + name, call.getLineNumber());
            } else if (call.isImplicitThis()) {
                // the library's own methods, or a step called from a closure of a var
                if (!ownMethod(name)) {
                    sink.call("step " + name, call.getLineNumber());
                }
            } else {
                sink.call("method " + name, call.getLineNumber());
            }
            super.visitMethodCallExpression(call);
        }

        /**
         * JsonOutput.toJson is whitelisted for some argument types (a Map) and not for Object: the argument must be a
         * variable declared as a Map for the call to be named toJson(Map).
         */
        private static String overload(ClassNode type, String name, MethodCallExpression call) {
            if (!type.getName().equals("groovy.json.JsonOutput") || !name.equals("toJson")) {
                return "";
            }
            List<Expression> arguments = ((ArgumentListExpression) call.getArguments()).getExpressions();
            boolean map = arguments.size() == 1 && arguments.get(0) instanceof VariableExpression variable
                    && variable.getAccessedVariable() != null
                    && (variable.getAccessedVariable().getOriginType().equals(ClassHelper.MAP_TYPE)
                        || variable.getAccessedVariable().getOriginType().implementsInterface(ClassHelper.MAP_TYPE));
            return map ? "(Map)" : "(Object)";
        }

        private boolean ownMethod(String name) {
            return ownClasses.stream().anyMatch(c -> {
                ClassNode type = source.getAST().getClasses().stream().filter(t -> t.getName().equals(c)).findFirst().orElse(null);
                return type != null && !type.getMethods(name).isEmpty();
            });
        }

        @Override
        public void visitPropertyExpression(PropertyExpression property) {
            if (property.getObjectExpression() instanceof VariableExpression receiver && receiver.getName().equals("script")) {
                sink.call("step " + property.getPropertyAsString(), property.getLineNumber());
            }
            // Other reads are of Maps (a Map's property is its get) or of the library's own constants.
            super.visitPropertyExpression(property);
        }

        @Override
        public void visitBinaryExpression(BinaryExpression expression) {
            String operator = switch (expression.getOperation().getType()) {
                case Types.PLUS, Types.PLUS_EQUAL -> "plus";
                case Types.LEFT_SHIFT -> "leftShift";
                case Types.LEFT_SQUARE_BRACKET -> "getAt";
                case Types.KEYWORD_IN -> "isCase";
                case Types.COMPARE_GREATER_THAN, Types.COMPARE_GREATER_THAN_EQUAL, Types.COMPARE_LESS_THAN,
                        Types.COMPARE_LESS_THAN_EQUAL -> "compareTo";
                case Types.MINUS, Types.MINUS_EQUAL -> "minus";
                case Types.MULTIPLY, Types.DIVIDE, Types.RIGHT_SHIFT, Types.POWER, Types.MOD, Types.FIND_REGEX,
                        Types.MATCH_REGEX -> expression.getOperation().getText();
                default -> null;
            };
            if (operator != null) {
                sink.call("operator " + operator, expression.getLineNumber());
            }
            super.visitBinaryExpression(expression);
        }

        @Override
        public void visitForLoop(ForStatement loop) {
            if (loop.getVariable() != ForStatement.FOR_LOOP_DUMMY) {
                sink.call("loop for-in", loop.getLineNumber());
            }
            super.visitForLoop(loop);
        }
    }

    @Test
    public void everyCallOfTheLibrary_isAStepOrOnScriptSecuritysWhitelists() throws IOException {
        SortedMap<String, SortedSet<String>> calls = calls(ROOT.resolve("vars"), ROOT.resolve("src"));
        SortedMap<String, String> allowed = allowed();

        List<String> outside = new ArrayList<>();
        calls.forEach((call, where) -> {
            if (!allowed.containsKey(call)) {
                outside.add(call + " at " + where);
            }
        });
        assertTrue("calls outside sandbox/allowed-calls.txt (a folder library would wait for an administrator's approval):\n"
                + String.join("\n", outside), outside.isEmpty());
        assertTrue("the scan finds the steps", calls.containsKey("step sh") && calls.containsKey("step withCredentials"));
    }

    @Test
    public void theScan_findsWhatTheSandboxRefuses() throws IOException {
        // The three calls the issue found, planted in a library of one class: each must be reported.
        Path planted = Files.createTempDirectory("planted-library");
        Files.writeString(planted.resolve("Planted.groovy"), String.join("\n",
                "import groovy.json.JsonOutput",
                "import groovy.json.JsonSlurperClassic",
                "class Planted {",
                "    static Object all(def script, Object value) {",
                "        Map m = new LinkedHashMap<>()",
                "        Object parsed = new JsonSlurperClassic().parseText('{}')",
                "        script.sh(JsonOutput.toJson(value))",
                "        return 'x'.readLines().take(1)",
                "    }",
                "}", ""));

        SortedMap<String, SortedSet<String>> calls = calls(planted);

        SortedSet<String> refused = new TreeSet<>(calls.keySet());
        refused.removeAll(allowed().keySet());
        assertEquals(new TreeSet<>(List.of("method readLines", "method take", "new groovy.json.JsonSlurperClassic",
                "new java.util.LinkedHashMap", "static groovy.json.JsonOutput toJson(Object)")), refused);
    }
}
