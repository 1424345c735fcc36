package io.powerai.core.stage.scoring;

import io.powerai.core.json.Json;
import io.powerai.core.spec.ScoreSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.Parity;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests a scoring image must answer as recorded (by the training, parity.json, and the score section's
 * sample), and the one sample its swagger is generated from: the score section's, else the first recorded one.
 *
 * @param request the swagger sample's request, or null when there is no sample
 * @param response its expected answer, or null when none is known
 */
record ScoringSamples(List<Parity.Case> cases, byte[] request, byte[] response) {
    static ScoringSamples of(ScoreSpec spec, Path trainingOutputs) {
        String stage = Stage.SCORING_IMAGE.stepName();
        List<Parity.Case> cases = new ArrayList<>(Parity.fromTrainingOutputs(trainingOutputs, stage));
        if (spec.sampleRequest() != null) {
            cases.add(Parity.fromSample(spec.sampleRequest(), spec.expectedResponse(), stage));
        }
        Parity.Case swagger = spec.sampleRequest() != null ? cases.get(cases.size() - 1) : cases.isEmpty() ? null : cases.get(0);
        byte[] request = swagger == null ? null : swagger.body().getBytes(StandardCharsets.UTF_8);
        byte[] response = swagger == null || !swagger.hasExpected() ? null
                : Json.pretty(swagger.expected()).getBytes(StandardCharsets.UTF_8);
        return new ScoringSamples(List.copyOf(cases), request, response);
    }
}
