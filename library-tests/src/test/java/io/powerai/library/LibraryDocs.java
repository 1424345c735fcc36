package io.powerai.library;

import io.powerai.core.spec.StageDescriptor;

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
     * A parameter of a vars/*.txt, plain text: {@code name (Type, required)}, {@code (Type, optional)} or
     * {@code (Type, default[:] ...)} alone on a line, then its description indented on the next line.
     */
    static final Pattern TXT_PARAMETER = Pattern.compile("([A-Za-z_]+) \\(([^,()]+), (required|optional|default:? .+)\\)");
    /** A line that starts a parameter: a name and an opening parenthesis at the start of the line. */
    static final Pattern TXT_ENTRY = Pattern.compile("[A-Za-z_]+ \\(.*\\)");
    /** A row of the parameters table: {@code | `name` | type | required or default | meaning |}. */
    static final Pattern MD_ROW = Pattern.compile("^\\| `([A-Za-z_]+)` \\|([^|]+)\\|([^|]+)\\|(.+)\\|\\s*$");

    /** The parameters only the step takes: core's stage descriptor, the one the steps read at run time. */
    static List<String> stepOnlyParameters(String step) {
        StageDescriptor descriptor = StageDescriptor.ofStep(step);
        if (descriptor == null) {
            throw new IllegalStateException("core describes no step " + step);
        }
        return descriptor.stepOnlyParameters();
    }

    /** A parameter of vars/STEP.txt: its name and its description. */
    record TxtParameter(String name, String description) {
    }

    /** Parameters of vars/STEP.txt, in order; every entry must follow the format. */
    static List<TxtParameter> txtEntries(String step) {
        List<String> lines = read(LibraryPipelineTest.LIBRARY_ROOT.resolve("vars/" + step + ".txt")).lines().toList();
        List<TxtParameter> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!TXT_ENTRY.matcher(lines.get(i)).matches()) {
                continue;
            }
            Matcher p = TXT_PARAMETER.matcher(lines.get(i));
            if (!p.matches() || i + 1 >= lines.size() || !lines.get(i + 1).startsWith("    ")) {
                throw new AssertionError("vars/" + step + ".txt: a parameter must read 'name (Type, required | optional | default"
                        + " VALUE | default: WHAT)' on its own line, its description indented on the next; got " + lines.get(i));
            }
            entries.add(new TxtParameter(p.group(1), lines.get(i + 1).strip()));
        }
        return entries;
    }

    /** Parameter names of vars/STEP.txt, in order. */
    static List<String> txtParameters(String step) {
        return txtEntries(step).stream().map(TxtParameter::name).toList();
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
