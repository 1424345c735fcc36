package io.powerai.library;

import groovy.lang.GroovyClassLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what the library declares and documents: its step-only parameters, the .txt and .md parameter lists. */
final class LibraryDocs {
    private LibraryDocs() {
    }

    /**
     * {@code <dt><code>name</code> (Type, required)</dt>}, {@code (Type, optional)} or {@code (Type, default[:] ...)};
     * the default may hold markup, the name and the type may not.
     */
    static final Pattern TXT_PARAMETER = Pattern.compile("<dt><code>([A-Za-z_]+)</code> \\(([^,()<>]+), (required|optional|default:? .+)\\)</dt>");
    /** Any dt at all, to find one that does not follow the format. */
    static final Pattern TXT_DT = Pattern.compile("<dt>(.*?)</dt>", Pattern.DOTALL);
    /** A row of the parameters table: {@code | `name` | type | required or default | meaning |}. */
    static final Pattern MD_ROW = Pattern.compile("^\\| `([A-Za-z_]+)` \\|([^|]+)\\|([^|]+)\\|(.+)\\|\\s*$");

    private static Map<String, List<String>> stepOnly;

    /** StepRunner.STEP_ONLY_PARAMETERS, read from the library's own source. */
    static synchronized List<String> stepOnlyParameters(String step) {
        if (stepOnly == null) {
            try (GroovyClassLoader loader = new GroovyClassLoader(LibraryDocs.class.getClassLoader())) {
                loader.addClasspath(LibraryPipelineTest.LIBRARY_ROOT.resolve("src").toString());
                Class<?> runner = loader.loadClass("io.powerai.jenkins.StepRunner");
                @SuppressWarnings("unchecked")
                Map<String, List<String>> table = (Map<String, List<String>>) org.codehaus.groovy.runtime.InvokerHelper
                        .getProperty(runner, "STEP_ONLY_PARAMETERS");
                stepOnly = table;
            } catch (IOException | ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot read StepRunner.STEP_ONLY_PARAMETERS: " + e, e);
            }
        }
        List<String> parameters = stepOnly.get(step);
        if (parameters == null) {
            throw new IllegalStateException("StepRunner.STEP_ONLY_PARAMETERS has no entry for " + step);
        }
        return parameters;
    }

    /** Parameter names of vars/STEP.txt, in order; every dt must follow the format. */
    static List<String> txtParameters(String step) {
        String text = read(LibraryPipelineTest.LIBRARY_ROOT.resolve("vars/" + step + ".txt"));
        List<String> names = new ArrayList<>();
        Matcher dt = TXT_DT.matcher(text);
        while (dt.find()) {
            Matcher p = TXT_PARAMETER.matcher(dt.group());
            if (!p.matches()) {
                throw new AssertionError("vars/" + step + ".txt: a parameter must read <dt><code>name</code> (Type, required"
                        + " | optional | default VALUE | default: WHAT)</dt>; got " + dt.group());
            }
            names.add(p.group(1));
        }
        return names;
    }

    /** Parameter names of the table under "## Parameters" in docs/steps/STEP.md, in order. */
    static List<String> mdParameters(String step) {
        List<String> lines = read(LibraryPipelineTest.LIBRARY_ROOT.resolve("docs/steps/" + step + ".md")).lines().toList();
        int start = lines.indexOf("## Parameters");
        if (start < 0) {
            throw new AssertionError("docs/steps/" + step + ".md has no '## Parameters' section");
        }
        List<String> names = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            Matcher row = MD_ROW.matcher(line);
            if (row.matches()) {
                names.add(row.group(1));
            }
        }
        return names;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
