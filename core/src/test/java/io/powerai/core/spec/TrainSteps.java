package io.powerai.core.spec;

import io.powerai.core.PowerAiException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The train section as a Jenkinsfile step passes it (project 'demo', script train.py), for the spec tests. */
final class TrainSteps {
    private TrainSteps() {
    }

    /** {@code extra} adds or overrides parameters. */
    static TrainSpec train(Path project, Map<String, Object> extra) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "demo");
        params.put("script", "train.py");
        params.putAll(extra);
        return PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline().train();
    }

    /** The problems of a spec that must be rejected, one a line. */
    static String problems(Path project, Map<String, Object> extra) {
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class, () -> train(project, extra));
        assertThat(e).as("must be rejected: %s", extra).isNotNull();
        return e.getMessage();
    }
}
