package io.powerai.cli;

import io.powerai.core.json.Json;
import io.powerai.core.spec.StageDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code powerai stages --json}: what the steps read when no plugin hands them the descriptors; the launcher agrees. */
class StagesCommandTest {

    @Test
    void json_isEveryStagesDescriptor_asTheStepsReadIt() throws Exception {
        CliRun run = CliRun.of("stages", "--json");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, Object> printed = Json.parseObject(run.out());
        assertThat(printed).isEqualTo(Json.parseObject(Json.canonical(StageDescriptor.all())));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> stages = (Map<String, Map<String, Object>>) printed.get("stages");
        assertThat(stages).containsOnlyKeys("amlEnvSnapshot", "gpuTrain", "scoringImage", "aksDeploy");
        assertThat(stages.get("scoringImage")).containsEntry("command", "scoring-image").containsEntry("section", "score")
                .containsEntry("resultFile", ".powerai/scoringImage.json");
        assertThat(printed.get("auditLog")).isEqualTo(List.of(".powerai/audit.jsonl", ".powerai/audit.jsonl.head"));
    }

    @Test
    void plain_namesEachStageWithItsCommand() {
        CliRun run = CliRun.of("stages");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("amlEnvSnapshot: command snapshot, section environment, result .powerai/amlEnvSnapshot.json")
                .contains("gpuTrain: command train,");
    }

    @Test
    void everyActionAStepOffers_isItsCommandOrASubcommandOfIt() {
        picocli.CommandLine cli = PowerAiCommand.commandLine(System.out, System.err, Map.of(),
                new io.powerai.core.lifecycle.Cancellation(), List.of());
        for (StageDescriptor d : StageDescriptor.values()) {
            for (String action : d.actions()) {
                if (!action.equals(d.command())) {
                    assertThat(cli.getSubcommands().get(d.command()).getSubcommands()).as(d.step() + " action " + action)
                            .containsKey(action);
                }
            }
        }
        assertThat(StageDescriptor.ofStep("aksDeploy").actions()).containsExactly("deploy", "promote", "rollback", "delete");
    }

    /**
     * bin/powerai cannot ask Java for the flags before it starts Java, so it keeps its own case: here it must give each
     * stage's command the descriptor's JVM flags (the flags before the class-data options).
     */
    @Test
    void launcher_startsEachStageCommandWithItsDescriptorsJvmFlags() throws Exception {
        String launcher = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("bin").resolve("powerai"));
        Matcher flagsLine = Pattern.compile("flags=\\((-XX:\\+UseSerialGC) \\$\\{jit\\[@]\\+\"\\$\\{jit\\[@]}\"}").matcher(launcher);
        assertThat(flagsLine.find()).as("bin/powerai: flags=(-XX:+UseSerialGC ${jit[@]...} ...)").isTrue();
        Map<String, List<String>> byCommand = new LinkedHashMap<>();
        Matcher arm = Pattern.compile("(?m)^\\s+([a-z| -]+)\\) command=\\$1; jit=\\(([^)]*)\\) ;;$").matcher(launcher);
        while (arm.find()) {
            List<String> flags = new ArrayList<>(List.of(flagsLine.group(1)));
            if (!arm.group(2).isBlank()) {
                flags.addAll(List.of(arm.group(2).strip().split("\\s+")));
            }
            for (String command : arm.group(1).split("\\|")) {
                byCommand.put(command.strip(), flags);
            }
        }
        for (StageDescriptor d : StageDescriptor.values()) {
            assertThat(byCommand.get(d.command())).as("bin/powerai's flags for " + d.command()).isEqualTo(d.jvmFlags());
        }
    }
}
