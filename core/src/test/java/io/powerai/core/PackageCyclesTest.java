package io.powerai.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.powerai.core.plantedcycle.left.Left;
import io.powerai.core.plantedcycle.right.Right;
import io.powerai.core.plantedcycleback.Back;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Core's packages form a graph without cycles: each package can be read, tested and replaced from the bottom up
 * (json and spec at the bottom; stages over adapters; nothing reaches back up). A cycle is how "one stage reaching
 * into another" and "a spec that logs in to Azure" crept in before; this rule keeps them out.
 */
class PackageCyclesTest {
    /** Every first-level package of core is a slice; subpackages belong to their first-level package. */
    static final ArchRule NO_CYCLES_BETWEEN_CORE_PACKAGES = slices().matching("io.powerai.core.(*)..")
            .should().beFreeOfCycles()
            .because("a cycle between packages means neither can be understood or changed alone");

    @Test
    void core_packagesAreFreeOfCycles() {
        JavaClasses production = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.powerai.core");
        assertThat(production.contain("io.powerai.core.spec.PipelineSpec")).isTrue();
        NO_CYCLES_BETWEEN_CORE_PACKAGES.check(production);
    }

    @Test
    void rule_catchesAPlantedCycle() {
        // Test-only fixtures: plantedcycleback.Back -> plantedcycle.right.Right -> plantedcycleback.Back, a cycle between
        // two first-level packages of core, and left <-> right inside plantedcycle. The production rule must see the
        // first; the same rule one level down must see the second.
        JavaClasses planted = new ClassFileImporter().importClasses(Left.class, Right.class, Back.class);

        EvaluationResult firstLevel = NO_CYCLES_BETWEEN_CORE_PACKAGES.evaluate(planted);
        assertThat(firstLevel.hasViolation()).isTrue();
        assertThat(firstLevel.getFailureReport().toString()).contains("Slice plantedcycle", "Slice plantedcycleback");

        EvaluationResult inside = slices().matching("io.powerai.core.plantedcycle.(*)..").should().beFreeOfCycles()
                .evaluate(planted);
        assertThat(inside.hasViolation()).isTrue();
        assertThat(inside.getFailureReport().toString()).contains("Slice left", "Slice right");
    }
}
