package io.powerai.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core is a library: it knows no face (CLI, Jenkins) and never prints or exits. The rules are checked against
 * the production classes; the fixtures at the bottom prove that each rule does catch a violation.
 */
class ArchitectureTest {
    private static final String CORE = "io.powerai.core..";

    static final ArchRule NO_FACE_DEPENDENCIES = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(
                    "picocli..", "io.powerai.cli..", "hudson..", "jenkins..", "org.jenkinsci..", "groovy..",
                    "org.codehaus.groovy..")
            .because("the core is shared by the CLI and the Jenkins plugin and must depend on neither");

    static final ArchRule NO_SYSTEM_OUT = noClasses().that().resideInAPackage(CORE)
            .should().accessField(System.class, "out")
            .because("the core emits events; only a face prints");

    static final ArchRule NO_SYSTEM_ERR = noClasses().that().resideInAPackage(CORE)
            .should().accessField(System.class, "err")
            .because("the core emits events or throws PowerAiException; only a face prints");

    static final ArchRule NO_SYSTEM_EXIT = noClasses().that().resideInAPackage(CORE)
            .should().callMethod(System.class, "exit", int.class)
            .because("exiting is the face's decision (PowerAiException.exitCode()); System.exit would kill Jenkins");

    static final ArchRule NO_PRINT_STACK_TRACE = noClasses().that().resideInAPackage(CORE)
            .should().callMethodWhere(target(name("printStackTrace")).and(target(owner(assignableTo(Throwable.class)))))
            .because("printStackTrace() writes to System.err behind the rule above");

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.powerai.core");
    }

    @Test
    void import_findsTheProductionClassesButNoTests() {
        // Guards against a vacuous pass: the rules below must see the real core.
        assertThat(production.contain("io.powerai.core.spec.PipelineSpec")).isTrue();
        assertThat(production.contain("io.powerai.core.engine.ContainerEngine")).isTrue();
        assertThat(production.contain(ArchitectureTest.class)).isFalse();
    }

    @Test
    void core_doesNotDependOnCliJenkinsOrGroovy() {
        NO_FACE_DEPENDENCIES.check(production);
    }

    @Test
    void core_neverUsesSystemOut() {
        NO_SYSTEM_OUT.check(production);
    }

    @Test
    void core_neverUsesSystemErr() {
        NO_SYSTEM_ERR.check(production);
    }

    @Test
    void core_neverCallsSystemExit() {
        NO_SYSTEM_EXIT.check(production);
    }

    @Test
    void core_neverPrintsStackTraces() {
        NO_PRINT_STACK_TRACE.check(production);
    }

    @Test
    void rules_catchAViolatingClass() {
        JavaClasses fixtures = new ClassFileImporter().importClasses(Printer.class, ErrPrinter.class, Exiter.class, TracePrinter.class);

        assertThat(NO_SYSTEM_OUT.evaluate(fixtures).hasViolation()).as("System.out rule").isTrue();
        assertThat(NO_SYSTEM_ERR.evaluate(fixtures).hasViolation()).as("System.err rule").isTrue();
        assertThat(NO_SYSTEM_EXIT.evaluate(fixtures).hasViolation()).as("System.exit rule").isTrue();
        assertThat(NO_PRINT_STACK_TRACE.evaluate(fixtures).hasViolation()).as("printStackTrace rule").isTrue();
        assertThat(NO_SYSTEM_OUT.evaluate(new ClassFileImporter().importClasses(ErrPrinter.class)).hasViolation())
                .as("System.out rule on a class that only uses System.err").isFalse();
    }

    // Fixtures in io.powerai.core (so the rules apply to them); never called, only imported above.

    static final class Printer {
        void print() {
            System.out.println("x");
        }
    }

    static final class ErrPrinter {
        void print() {
            System.err.println("x");
        }
    }

    static final class Exiter {
        void exit() {
            System.exit(1);
        }
    }

    static final class TracePrinter {
        void print(RuntimeException e) {
            e.printStackTrace();
        }
    }
}
