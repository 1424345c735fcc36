package io.powerai.jenkins.plugin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The plugin is glue: decisions live in plain packages that Jenkins types never reach. */
@AnalyzeClasses(packages = "io.powerai.jenkins.plugin", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule plainPackagesUseNoJenkinsTypes = noClasses()
            .that().resideInAnyPackage("..plugin.cli..", "..plugin.lineage..", "..plugin.config..")
            .should().dependOnClassesThat().resideInAnyPackage("hudson..", "jenkins..", "org.jenkinsci..", "org.kohsuke..",
                    "com.cloudbees..", "com.google.common..");

    @ArchTest
    static final ArchRule nothingUsesTheCliClasses = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.powerai.cli..");

    /** The cache runs on agents inside a file callable: the JDK only, so no library travels over the channel. */
    @ArchTest
    static final ArchRule agentSideCodeUsesTheJdkOnly = classes()
            .that().haveNameMatching("io\\.powerai\\.jenkins\\.plugin\\.cli\\.CliCache(\\$.*)?")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.powerai.jenkins.plugin.cli");
}
