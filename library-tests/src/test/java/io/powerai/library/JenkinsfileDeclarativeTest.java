package io.powerai.library;

import io.powerai.core.spec.StepParameters;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.Phases;
import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Jenkinsfile.declarative.example, which JenkinsPipelineUnit 1.1 cannot run: it parses (Groovy's parser, as
 * Jenkins' first pass), uses only directives and steps that exist and only parameters the steps take, reads only
 * the job parameters it declares, and makes the same powerai calls as the scripted Jenkinsfile.example.
 */
public class JenkinsfileDeclarativeTest {

    private static final String DECLARATIVE = "Jenkinsfile.declarative.example";
    private static final String SCRIPTED = "Jenkinsfile.example";
    private static final List<String> LIBRARY_STEPS = LibraryPipelineTest.STEPS;

    /** Declarative's directives and the Jenkins steps the example uses (core, workflow-basic-steps, pipeline-input-step, the plugin's). */
    private static final Set<String> DIRECTIVES_AND_STEPS = Set.of("pipeline", "agent", "label", "parameters", "string", "choice",
            "triggers", "cron", "options", "buildDiscarder", "logRotator", "disableConcurrentBuilds", "stages", "stage", "steps",
            "script", "post", "always", "echo", "stash", "unstash", "dir", "deleteDir", "archiveArtifacts", "catchError",
            "input", "poweraiRecordLineage");

    /** Parameters of the steps that are not the library's. */
    private static final Map<String, Set<String>> OTHER_STEP_PARAMETERS = Map.of(
            "poweraiRecordLineage", Set.of("auditLog"),
            // pipeline-input-step's InputStep: message (constructor), id, ok, parameters, submitter, submitterParameter
            "input", Set.of("message", "id", "ok", "parameters", "submitter", "submitterParameter"),
            "catchError", Set.of("buildResult", "stageResult", "message", "catchInterruptions"),
            "archiveArtifacts", Set.of("artifacts", "allowEmptyArchive", "fingerprint", "excludes", "onlyIfSuccessful"),
            "stash", Set.of("name", "includes", "excludes", "allowEmpty", "useDefaultExcludes"),
            "string", Set.of("name", "defaultValue", "description", "trim"),
            "choice", Set.of("name", "choices", "description"),
            "logRotator", Set.of("numToKeepStr", "artifactNumToKeepStr", "daysToKeepStr", "artifactDaysToKeepStr"));

    static ModuleNode parse(String file) {
        CompilationUnit unit = new CompilationUnit();
        unit.addSource(LibraryPipelineTest.LIBRARY_ROOT.resolve(file).toFile());
        unit.compile(Phases.CONVERSION);
        return unit.iterator().next().getAST();
    }

    /** Each call by name with the named parameters it passes (through map literals and variables holding them). */
    static SortedMap<String, SortedSet<String>> calls(ModuleNode module) {
        Map<String, List<String>> variableKeys = new TreeMap<>();
        SortedMap<String, SortedSet<String>> calls = new TreeMap<>();
        CodeVisitorSupport declarations = new CodeVisitorSupport() {
            @Override
            public void visitDeclarationExpression(DeclarationExpression expression) {
                if (expression.getLeftExpression() instanceof VariableExpression variable) {
                    // in the file's order: a variable built from an earlier one (deploy = project + [...]) has both's keys
                    variableKeys.put(variable.getName(), keys(expression.getRightExpression(), variableKeys));
                }
                super.visitDeclarationExpression(expression);
            }
        };
        CodeVisitorSupport callsVisitor = new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if (call.isImplicitThis()) {
                    calls.computeIfAbsent(call.getMethodAsString(), k -> new TreeSet<>()).addAll(keys(call.getArguments(), variableKeys));
                }
                super.visitMethodCallExpression(call);
            }
        };
        List<BlockStatement> blocks = new ArrayList<>();
        blocks.add(module.getStatementBlock());
        module.getMethods().forEach(m -> blocks.add((BlockStatement) m.getCode()));
        blocks.forEach(b -> b.visit(declarations));
        blocks.forEach(b -> b.visit(callsVisitor));
        return calls;
    }

    /** The constant keys of every map literal in {@code expression} and of the variables it names. */
    private static List<String> keys(Expression expression, Map<String, List<String>> variableKeys) {
        List<String> keys = new ArrayList<>();
        expression.visit(new CodeVisitorSupport() {
            @Override
            public void visitMapEntryExpression(MapEntryExpression entry) {
                if (entry.getKeyExpression() instanceof ConstantExpression key) {
                    keys.add(String.valueOf(key.getValue()));
                }
                // the value is not visited: a map value's keys are its fields (gate: [metric: ...]), not parameters
            }

            @Override
            public void visitVariableExpression(VariableExpression variable) {
                keys.addAll(variableKeys.getOrDefault(variable.getName(), List.of()));
            }

            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                // a nested call's own parameters are its own
            }

            @Override
            public void visitClosureExpression(org.codehaus.groovy.ast.expr.ClosureExpression closure) {
                // a body's calls are counted as calls
            }
        });
        return keys;
    }

    /** params.NAME read anywhere in the file. */
    static SortedSet<String> parametersRead(ModuleNode module) {
        SortedSet<String> read = new TreeSet<>();
        CodeVisitorSupport visitor = new CodeVisitorSupport() {
            @Override
            public void visitPropertyExpression(PropertyExpression property) {
                if (property.getObjectExpression() instanceof VariableExpression v && v.getName().equals("params")) {
                    read.add(property.getPropertyAsString());
                }
                super.visitPropertyExpression(property);
            }
        };
        module.getStatementBlock().visit(visitor);
        return read;
    }

    /** The names of the job parameters a file declares with string(...) and choice(...). */
    static List<String> parametersDeclared(ModuleNode module) {
        List<String> names = new ArrayList<>();
        module.getStatementBlock().visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if (call.getMethodAsString().equals("string") || call.getMethodAsString().equals("choice")) {
                    call.getArguments().visit(new CodeVisitorSupport() {
                        @Override
                        public void visitMapEntryExpression(MapEntryExpression entry) {
                            if (String.valueOf(entry.getKeyExpression().getText()).equals("name")) {
                                names.add(entry.getValueExpression().getText());
                            }
                        }
                    });
                }
                super.visitMethodCallExpression(call);
            }
        });
        return names;
    }

    private static SortedMap<String, SortedSet<String>> poweraiCalls(String file) {
        SortedMap<String, SortedSet<String>> powerai = new TreeMap<>(calls(parse(file)));
        powerai.keySet().retainAll(new TreeSet<>(List.of("amlEnvSnapshot", "gpuTrain", "scoringImage", "aksDeploy", "poweraiRecordLineage")));
        return powerai;
    }

    @Test
    public void itParses_asADeclarativePipeline() {
        ModuleNode module = parse(DECLARATIVE);
        SortedMap<String, SortedSet<String>> calls = calls(module);
        assertTrue(calls.keySet().containsAll(List.of("pipeline", "agent", "label", "stages", "stage", "steps", "triggers", "cron",
                "parameters", "post", "always")));
    }

    @Test
    public void itUsesOnlyDirectivesAndStepsThatExist_withParametersTheyTake() throws IOException {
        SortedMap<String, SortedSet<String>> calls = calls(parse(DECLARATIVE));
        for (Map.Entry<String, SortedSet<String>> call : calls.entrySet()) {
            String name = call.getKey();
            Set<String> accepted;
            if (LIBRARY_STEPS.contains(name)) {
                accepted = new TreeSet<>(StepParameters.stepNames(FakeCli.stage(name)));
                accepted.addAll(LibraryDocs.stepOnlyParameters(name));
            } else {
                assertTrue("no such directive or step: " + name, DIRECTIVES_AND_STEPS.contains(name));
                accepted = OTHER_STEP_PARAMETERS.getOrDefault(name, Set.of());
            }
            SortedSet<String> unknown = new TreeSet<>(call.getValue());
            unknown.removeAll(accepted);
            assertTrue(name + " takes no parameter " + unknown, unknown.isEmpty());
        }
    }

    @Test
    public void itReadsOnlyTheJobParametersItDeclares() {
        ModuleNode module = parse(DECLARATIVE);
        SortedSet<String> undeclared = parametersRead(module);
        undeclared.removeAll(parametersDeclared(module));
        assertTrue("params read but not declared: " + undeclared, undeclared.isEmpty());
    }

    @Test
    public void itMakesTheSameCallsAsTheScriptedOne() {
        assertEquals(poweraiCalls(SCRIPTED), poweraiCalls(DECLARATIVE));
        assertEquals(List.of("aksDeploy", "amlEnvSnapshot", "gpuTrain", "poweraiRecordLineage", "scoringImage"),
                new ArrayList<>(poweraiCalls(DECLARATIVE).keySet()));
        assertEquals(parametersDeclared(parse(SCRIPTED)), parametersDeclared(parse(DECLARATIVE)));
        assertEquals(calls(parse(SCRIPTED)).get("cron"), calls(parse(DECLARATIVE)).get("cron"));
    }
}
