package io.powerai.core.stage.deploy;

import io.powerai.core.PowerAiException;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.RunEnvironment;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deploy target is chosen once, from the deploy section (or the command line's override), contacting nothing. */
class DeployTargetsTest {
    @TempDir
    Path project;

    private StageContext ctx(String target) {
        PipelineSpec spec = PipelineSpec.forStep(Stage.DEPLOY, Map.of("name", "svm-moons", "target", target), project, null).pipeline();
        return new StageContext(spec, new Workspace(project, Clock.systemUTC()), null, null, e -> { }, Clock.systemUTC());
    }

    @Test
    void theSectionsTarget_choosesTheImplementation() {
        assertThat(DeployTargets.of(ctx("aks"), RunEnvironment.NONE, null)).isInstanceOf(AksDeployment.class)
                .extracting(DeployTarget::name).isEqualTo("aks");
        assertThat(DeployTargets.of(ctx("local"), RunEnvironment.NONE, null)).isInstanceOf(LocalDeployment.class)
                .extracting(DeployTarget::name).isEqualTo("local");
    }

    @Test
    void theCommandLinesOverride_winsOverTheSection_andAnUnknownOneIsInvalidInput() {
        assertThat(DeployTargets.of(ctx("aks"), RunEnvironment.NONE, "local")).isInstanceOf(LocalDeployment.class);
        assertThat(DeployTargets.of(ctx("local"), RunEnvironment.NONE, "aks")).isInstanceOf(AksDeployment.class);
        assertThatThrownBy(() -> DeployTargets.of(ctx("local"), RunEnvironment.NONE, "azure"))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .satisfies(e -> assertThat(((PowerAiException) e).messageIn("aksDeploy"))
                        .isEqualTo("aksDeploy: 'target' must be 'local' or 'aks'; got 'azure'"));
    }
}
