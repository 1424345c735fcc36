package io.powerai.library;

import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.StepParameters;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The library's shape and docs against the engine: every step has its help and its page, and documents exactly
 * the parameters the CLI accepts (PipelineSpec.stepParameters) plus the step's own; nothing shadows a plugin step.
 */
public class ConventionTest {

    private static final Path ROOT = LibraryPipelineTest.LIBRARY_ROOT;

    private static SortedSet<String> varNames() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("vars"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".groovy"))
                    .map(n -> n.substring(0, n.length() - ".groovy".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** What the step must document: the CLI's parameters for its stage by their step names, and the step-only ones. */
    private static SortedSet<String> accepted(String step) {
        SortedSet<String> names = new TreeSet<>(StepParameters.stepNames(FakeCli.stage(step)));
        names.addAll(LibraryDocs.stepOnlyParameters(step));
        return names;
    }

    private static void assertSameNames(String where, SortedSet<String> expected, List<String> documented) {
        Set<String> duplicates = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        documented.forEach(n -> {
            if (!seen.add(n)) {
                duplicates.add(n);
            }
        });
        assertTrue(where + " documents twice: " + duplicates, duplicates.isEmpty());
        SortedSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(documented);
        SortedSet<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(expected);
        assertTrue(where + " lacks " + missing + " and documents parameters that do not exist: " + unknown,
                missing.isEmpty() && unknown.isEmpty());
    }

    @Test
    public void theLibraryHasExactlyTheFourSteps() throws IOException {
        assertEquals(new TreeSet<>(LibraryPipelineTest.STEPS), varNames());
    }

    @Test
    public void everyStep_hasItsHelpAndItsPage() throws IOException {
        for (String step : varNames()) {
            assertTrue("vars/" + step + ".txt", Files.isRegularFile(ROOT.resolve("vars/" + step + ".txt")));
            assertTrue("docs/steps/" + step + ".md", Files.isRegularFile(ROOT.resolve("docs/steps/" + step + ".md")));
        }
    }

    @Test
    public void helpText_documentsEveryParameterTheStepAccepts_andNoOther() throws IOException {
        for (String step : varNames()) {
            assertSameNames("vars/" + step + ".txt", accepted(step), LibraryDocs.txtParameters(step));
        }
    }

    @Test
    public void stepPage_documentsEveryParameterTheStepAccepts_andNoOther() throws IOException {
        for (String step : varNames()) {
            assertSameNames("docs/steps/" + step + ".md", accepted(step), LibraryDocs.mdParameters(step));
        }
    }

    @Test
    public void helpText_givesAnExampleForEveryParameter_andOneCall() throws IOException {
        for (String step : varNames()) {
            for (LibraryDocs.TxtParameter parameter : LibraryDocs.txtEntries(step)) {
                assertTrue("vars/" + step + ".txt: an example of " + parameter.name(),
                        parameter.description().contains("Example: " + parameter.name() + ":"));
            }
            String text = LibraryDocs.read(ROOT.resolve("vars/" + step + ".txt"));
            assertTrue("vars/" + step + ".txt: a call of the step, indented as code", text.contains("\nExample:\n\n    ")
                    && text.contains(step + "("));
        }
    }

    /**
     * Jenkins' Global Variable Reference shows vars/*.txt through the configured markup formatter: the default one
     * escapes everything (a tag shows as text, a line break becomes one), Safe HTML drops unknown tags with their
     * meaning ('{name}' reads well in both, '<name>' vanishes under one and shows raw under the other). So the help
     * is plain text: no tag, no character reference, paragraphs apart by blank lines. The allowed set of tags is empty.
     */
    @Test
    public void helpText_isPlainText_readableUnderTheEscapingAndTheSafeHtmlFormatter() throws IOException {
        java.util.regex.Pattern tag = java.util.regex.Pattern.compile("<[A-Za-z/!?]");
        java.util.regex.Pattern reference = java.util.regex.Pattern.compile("&(#?[A-Za-z0-9]+);");
        for (String step : varNames()) {
            String text = LibraryDocs.read(ROOT.resolve("vars/" + step + ".txt"));
            java.util.regex.Matcher t = tag.matcher(text);
            assertFalse("vars/" + step + ".txt: markup " + (t.find() ? text.substring(t.start(), Math.min(text.length(), t.start() + 20)) : ""),
                    tag.matcher(text).find());
            assertFalse("vars/" + step + ".txt: a character reference", reference.matcher(text).find());
            assertTrue("vars/" + step + ".txt: paragraphs apart by blank lines", text.contains("\n\n"));
        }
    }

    /** The naming rule, for every key of every step: camelCase, one to one with the file's key, documented so. */
    @Test
    public void everyParameter_isTheFilesKeyInCamelCase_oneToOne_andDocumentedByThatName() throws IOException {
        for (String step : varNames()) {
            SortedSet<String> fileKeys = PipelineSpec.stepParameters(FakeCli.stage(step));
            SortedSet<String> mapped = new TreeSet<>();
            for (String name : StepParameters.stepNames(FakeCli.stage(step))) {
                assertTrue(step + ": " + name + " is camelCase", name.matches("[a-z][A-Za-z0-9]*"));
                assertTrue(step + ": " + name + " maps to a key of the file", mapped.add(StepParameters.fileKey(name)));
            }
            assertEquals(step + ": one name per key, every key", fileKeys, mapped);
            for (String name : LibraryDocs.stepOnlyParameters(step)) {
                assertTrue(step + ": step-only " + name + " is camelCase", name.matches("[a-z][A-Za-z0-9]*"));
            }
            List<String> documented = new ArrayList<>(LibraryDocs.txtParameters(step));
            documented.addAll(LibraryDocs.mdParameters(step));
            documented.forEach(n -> assertFalse(step + ": documents the old name " + n, n.contains("_")));
        }
    }

    @Test
    public void stepOnlyParameters_neverClashWithTheCliOnes() {
        for (String step : LibraryPipelineTest.STEPS) {
            Set<String> clash = new TreeSet<>(LibraryDocs.stepOnlyParameters(step));
            clash.retainAll(StepParameters.stepNames(FakeCli.stage(step)));
            assertTrue(step + ": step-only parameters the CLI also takes: " + clash, clash.isEmpty());
        }
    }

    /** The help's list of what the step archives names every artifact of the stage's descriptor, and nothing else. */
    @Test
    public void helpText_namesWhatTheStepArchives_asTheStagesDescriptorSays() throws IOException {
        java.util.regex.Pattern sentence = java.util.regex.Pattern.compile("what the stage produced is archived and fingerprinted when it ran: (.*)\\.\n");
        for (String step : varNames()) {
            java.util.regex.Matcher m = sentence.matcher(LibraryDocs.read(ROOT.resolve("vars/" + step + ".txt")));
            assertTrue("vars/" + step + ".txt says what the step archives", m.find());
            List<String> listed = new ArrayList<>();
            for (String item : m.group(1).replaceAll(" \\([^)]*\\)", "").split(", ")) {
                listed.add(item.strip());
            }
            assertEquals("vars/" + step + ".txt", io.powerai.core.spec.StageDescriptor.ofStep(step).artifactPatterns(), listed);
        }
    }

    @Test
    public void noVar_shadowsThePluginsStep() throws IOException {
        // A vars/ global silently shadows a plugin step of the same name; the plugin's step is poweraiCli.
        for (String var : varNames()) {
            assertFalse(var + " would shadow the plugin's step", var.equalsIgnoreCase("poweraiCli"));
            assertFalse(var + ": the plugin's steps carry the 'powerai' prefix, the vars must not",
                    var.toLowerCase().startsWith("powerai"));
        }
        List<String> pluginStepNames = new ArrayList<>();
        Path pluginSources = ROOT.resolve("plugin/src/main/java");
        if (Files.isDirectory(pluginSources)) {
            try (Stream<Path> files = Files.walk(pluginSources)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
                    java.util.regex.Matcher m = java.util.regex.Pattern
                            .compile("getFunctionName\\(\\)\\s*\\{\\s*return\\s*\"([^\"]+)\"").matcher(Files.readString(f));
                    while (m.find()) {
                        pluginStepNames.add(m.group(1));
                    }
                }
            }
        }
        Set<String> shadowed = new TreeSet<>(pluginStepNames);
        shadowed.retainAll(varNames());
        assertTrue("vars that shadow plugin steps: " + shadowed, shadowed.isEmpty());
    }

    @Test
    public void librarySrc_holdsOnlyGroovyClasses() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT.resolve("src"))) {
            List<String> other = files.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().endsWith(".groovy") || p.getFileName().toString().endsWith("Test.groovy"))
                    .map(p -> ROOT.relativize(p).toString()).collect(Collectors.toList());
            assertTrue("src/ is loaded into every build: only library classes belong there, found " + other, other.isEmpty());
        }
    }

    @Test
    public void varsAreThin() throws IOException {
        for (String step : varNames()) {
            List<String> code = Files.readAllLines(ROOT.resolve("vars/" + step + ".groovy")).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.startsWith("import "))
                    .collect(Collectors.toList());
            assertEquals("vars/" + step + ".groovy: a call of StepRunner and nothing else",
                    List.of("def call(Map args = [:]) {", "return StepRunner.run(this, '" + step + "', args)", "}"), code);
        }
    }
}
