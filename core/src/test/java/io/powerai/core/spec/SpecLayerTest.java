package io.powerai.core.spec;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The train section's spec is read without the Kubernetes adapter: the pod's settings are values of the spec (the
 * adapter reads them, never the other way round), so spec and kubernetes are no cycle.
 */
class SpecLayerTest {
    static final ArchRule SPEC_KNOWS_NO_KUBERNETES_ADAPTER = noClasses().that().resideInAPackage("io.powerai.core.spec..")
            .should().dependOnClassesThat().resideInAnyPackage("io.powerai.core.kubernetes..", "io.fabric8..")
            .because("the Kubernetes adapter depends on the spec it renders; the reverse would make a cycle");

    @Test
    void spec_doesNotDependOnTheKubernetesAdapter() {
        JavaClasses production = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.powerai.core");
        assertThat(production.contain(TrainSpec.class)).isTrue();
        assertThat(production.contain(TrainingPodSettings.class)).isTrue();

        SPEC_KNOWS_NO_KUBERNETES_ADAPTER.check(production);
    }
}
