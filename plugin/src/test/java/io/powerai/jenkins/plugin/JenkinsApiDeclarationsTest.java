package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * jenkins-api/ against the real Jenkins API: every type and member it declares, with its modifiers, must be a row of
 * jenkins-api/declarations-checked.tsv, the table of what was checked against which source at which commit (and no
 * row may be left over). A declaration added or changed without being checked fails here.
 */
class JenkinsApiDeclarationsTest {
    private static final Path API = Path.of("..", "jenkins-api");

    /** type, member, modifiers: what javac made of each declaration, named as the table names it. */
    static TreeSet<String> declared() throws IOException, ClassNotFoundException {
        Path sources = API.resolve("src/main/java");
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(sources)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = sources.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                collect(Class.forName(name, false, JenkinsApiDeclarationsTest.class.getClassLoader()), types);
            }
        }
        TreeSet<String> rows = new TreeSet<>();
        for (Class<?> c : types) {
            String kind = c.isAnnotation() ? "@interface" : c.isInterface() ? "interface" : c.isEnum() ? "enum" : "class";
            rows.add(row(c, "class", kind.equals("class") || kind.equals("enum") ? modifiers(c.getModifiers() & ~0x4000)
                    : modifiers(c.getModifiers() & ~Modifier.INTERFACE & ~0x2000)));
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (!k.isSynthetic()) {
                    rows.add(row(c, "constructor(" + parameters(k.getParameterTypes()) + ")", modifiers(k.getModifiers() & ~Modifier.TRANSIENT)));
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isSynthetic() && !m.isBridge()) {
                    rows.add(row(c, m.getName() + "(" + parameters(m.getParameterTypes()) + ")",
                            modifiers(m.getModifiers() & ~Modifier.TRANSIENT & ~Modifier.VOLATILE) + (m.isDefault() ? " default" : "")));
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (!f.isSynthetic() && !Modifier.isPrivate(f.getModifiers())) {
                    rows.add(row(c, "field " + f.getName(), modifiers(f.getModifiers() & ~0x4000)));
                }
            }
        }
        return rows;
    }

    private static void collect(Class<?> type, List<Class<?>> into) {
        into.add(type);
        for (Class<?> nested : type.getDeclaredClasses()) {
            collect(nested, into);
        }
    }

    private static String row(Class<?> type, String member, String modifiers) {
        return type.getName() + "\t" + member + "\t" + modifiers;
    }

    private static String modifiers(int bits) {
        return Modifier.toString(bits);
    }

    private static String parameters(Class<?>[] types) {
        StringJoiner joined = new StringJoiner(",");
        for (Class<?> type : types) {
            joined.add(type.getSimpleName());
        }
        return joined.toString();
    }

    /** The table's type, member and modifiers; each row must name its source and how it was checked. */
    static TreeSet<String> checked() throws IOException {
        TreeSet<String> rows = new TreeSet<>();
        for (String line : Files.readAllLines(API.resolve("declarations-checked.tsv"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] columns = line.split("\t");
            assertThat(columns).as(line).hasSize(5);
            assertThat(columns[3]).as("the source: repository@commit:path").matches("jenkinsci/[a-z-]+@[0-9a-f]{12}:[\\w/.]+\\.java");
            assertThat(columns[4]).as("how it was checked").matches("read|implicit|enum: .+|by hand: .+");
            rows.add(columns[0] + "\t" + columns[1] + "\t" + columns[2]);
        }
        return rows;
    }

    @Test
    void everyDeclaration_isCheckedAgainstTheRealSource_withTheSameModifiers() throws Exception {
        TreeSet<String> declared = declared();
        TreeSet<String> checked = checked();

        TreeSet<String> unchecked = new TreeSet<>(declared);
        unchecked.removeAll(checked);
        TreeSet<String> leftOver = new TreeSet<>(checked);
        leftOver.removeAll(declared);
        assertThat(unchecked).as("declared but not in jenkins-api/declarations-checked.tsv (check them against the real "
                + "source, then add their rows)").isEmpty();
        assertThat(leftOver).as("rows of the table that no declaration matches").isEmpty();
    }

    @Test
    void theConstructorsTheIssueFound_haveTheRealAccess() throws Exception {
        // BodyInvoker and RoleChecker declare no constructor (javac's is public); ExtensionList's and Job's are protected.
        assertThat(declared()).contains(
                "org.jenkinsci.plugins.workflow.steps.BodyInvoker\tconstructor()\tpublic",
                "org.jenkinsci.remoting.RoleChecker\tconstructor()\tpublic",
                "hudson.ExtensionList\tconstructor()\tprotected",
                "hudson.model.Job\tconstructor()\tprotected");
    }
}
