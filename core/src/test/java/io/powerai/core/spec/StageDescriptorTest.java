package io.powerai.core.spec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The stage descriptors: one per stage, consistent with Stage and the workspace's layout. */
class StageDescriptorTest {

    @Test
    void everyStage_hasOne_foundByStepAndByCommand() {
        assertThat(StageDescriptor.values()).extracting(StageDescriptor::stage).containsExactly(Stage.values());
        for (Stage stage : Stage.values()) {
            StageDescriptor d = StageDescriptor.of(stage);
            assertThat(StageDescriptor.ofStep(stage.stepName())).isSameAs(d);
            assertThat(StageDescriptor.ofCommand(d.command())).isSameAs(d);
            assertThat(d.section()).isEqualTo(stage.section());
        }
        assertThat(StageDescriptor.ofStep("nope")).isNull();
        assertThat(StageDescriptor.ofCommand("audit")).as("a command that runs no stage").isNull();
    }

    @Test
    void artifacts_startWithTheResultAndTheSpec_andStayInTheStagesFoldersOrTheAttestations() {
        for (StageDescriptor d : StageDescriptor.values()) {
            List<String> patterns = d.artifactPatterns();
            assertThat(patterns.subList(0, 2)).containsExactly(".powerai/" + d.step() + ".json", ".powerai/specs/" + d.step() + ".json");
            assertThat(d.artifacts().get(0).always()).as("a successful run always writes its result").isTrue();
            for (String pattern : patterns.subList(2, patterns.size())) {
                assertThat(pattern).as(d.step()).matches("\\.powerai/(" + d.section() + "/|attestations/" + d.step() + "\\.).*");
            }
            assertThat(new HashSet<>(patterns)).hasSameSizeAs(patterns);
            assertThat(patterns).doesNotContainAnyElementsOf(StageDescriptor.AUDIT_LOG);
        }
    }

    @Test
    void summaryFiles_areArchived_andStepOnlyParametersAreNotTheCliOnes() {
        for (StageDescriptor d : StageDescriptor.values()) {
            assertThat(d.summaryFiles()).containsEntry("result", d.resultFile());
            assertThat(d.summaryFiles().keySet()).isSubsetOf("result", "log", "chart");
            assertThat(d.artifactPatterns()).containsAll(d.summaryFiles().values());
            Set<String> clash = new HashSet<>(d.stepOnlyParameters());
            clash.retainAll(StepParameters.stepNames(d.stage()));
            assertThat(clash).as(d.step()).isEmpty();
            assertThat(d.jvmFlags()).isIn(StageDescriptor.TIERED, StageDescriptor.CLIENT_ONLY);
        }
        assertThat(Arrays.stream(Stage.values()).filter(s -> StageDescriptor.of(s).stepOnlyParameters().contains("signingCredentialsId")))
                .as("the stages that sign what they make").containsExactly(Stage.SNAPSHOT, Stage.TRAIN, Stage.SCORING_IMAGE);
    }

    @Test
    void all_isPlainMapsAndListsByStep_withTheSchemaVersionAndTheAuditLog() {
        Map<String, Object> all = StageDescriptor.all();

        assertThat(all).containsEntry("schemaVersion", 1).containsEntry("auditLog", List.of(".powerai/audit.jsonl", ".powerai/audit.jsonl.head"));
        @SuppressWarnings("unchecked")
        Map<String, Object> train = (Map<String, Object>) ((Map<String, Object>) all.get("stages")).get("gpuTrain");
        assertThat(train).containsEntry("command", "train").containsEntry("section", "train")
                .containsEntry("resultFile", ".powerai/gpuTrain.json").containsEntry("summaryKeys", List.of("metrics", "image"))
                .containsEntry("jvmFlags", List.of("-XX:+UseSerialGC"));
    }
}
