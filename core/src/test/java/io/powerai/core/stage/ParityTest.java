package io.powerai.core.stage;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParityTest {
    @TempDir
    Path outputs;

    private static Object json(String text) throws Exception {
        return Json.mapper().readValue(text, Object.class);
    }

    private static List<String> diff(String expected, String actual, double tolerance) throws Exception {
        return Parity.differences(json(expected), json(actual), tolerance);
    }

    @Test
    void equalAnswers_noDifferences() throws Exception {
        assertThat(diff("{\"predictions\": [0, 1], \"label\": \"cat\", \"ok\": true, \"x\": null}",
                "{\"label\": \"cat\", \"predictions\": [0, 1], \"ok\": true, \"x\": null}", 1e-6)).isEmpty();
    }

    @Test
    void classes_mustBeExact_withTheirJsonPath() throws Exception {
        assertThat(diff("{\"predictions\": [0, 0, 1]}", "{\"predictions\": [0, 1, 1]}", 0.5))
                .containsExactly("$.predictions[1]: expected 0, got 1 (whole numbers must be equal)");
    }

    @Test
    void wholeNumber_againstAnEqualFloat_matches_againstANearOne_doesNot() throws Exception {
        assertThat(diff("[1]", "[1.0]", 1e-6)).isEmpty();
        assertThat(diff("[1]", "[1.0000001]", 1e-3)).hasSize(1);
    }

    @Test
    void floats_withinTheRelativeTolerance_match_beyond_showTheDifference() throws Exception {
        assertThat(diff("[0.8731, 1000.0]", "[0.87310000001, 1000.0000001]", 1e-6)).isEmpty();
        assertThat(diff("[0.8731]", "[0.8702]", 1e-6)).singleElement().asString()
                .startsWith("$[0]: expected 0.8731, got 0.8702 (relative difference 0.00332 > tolerance 1.0E-6)");
        assertThat(diff("[0.8731]", "[0.8702]", 1e-2)).isEmpty();
    }

    @Test
    void floatsNearZero_withinTheToleranceOfZero_match() throws Exception {
        assertThat(diff("[0.0]", "[1e-12]", 1e-6)).isEmpty();
        assertThat(diff("[0.0]", "[1e-12]", 0)).hasSize(1);
    }

    @Test
    void shapeDifferences_missingExtraKeys_lengths_types() throws Exception {
        assertThat(diff("{\"a\": [1, 2], \"b\": \"x\", \"c\": {}}", "{\"a\": [1], \"c\": [], \"d\": 3}", 1e-6))
                .containsExactly("$.a: expected 2 items, got 1",
                        "$.b: missing (expected \"x\")",
                        "$.c: expected an object, got []",
                        "$.d: not expected (got 3)");
        assertThat(diff("[\"1\"]", "[1]", 1e-6)).containsExactly("$[0]: expected \"1\", got 1");
    }

    @Test
    void parityFile_requestsAndResponses_becomeCases_stringsSentRaw() throws Exception {
        Files.writeString(outputs.resolve("parity.json"),
                "{\"requests\": [{\"data\": [[1, 2]]}, \"1,2\\n3,4\"], \"responses\": [{\"p\": [1]}, [0, 1]]}");

        List<Parity.Case> cases = Parity.fromTrainingOutputs(outputs, "scoringImage");

        assertThat(cases).hasSize(2);
        assertThat(cases.get(0).origin()).isEqualTo("parity.json request 1");
        assertThat(cases.get(0).body()).isEqualTo("{\"data\":[[1,2]]}");
        assertThat(cases.get(1).body()).isEqualTo("1,2\n3,4");
        assertThat(cases.get(1).expected()).isEqualTo(List.of(0, 1));
    }

    @Test
    void parityFile_absent_noCases_malformed_exit2() throws Exception {
        assertThat(Parity.fromTrainingOutputs(outputs, "scoringImage")).isEmpty();
        Files.writeString(outputs.resolve("parity.json"), "{\"requests\": [1, 2], \"responses\": [1]}");

        assertThatThrownBy(() -> Parity.fromTrainingOutputs(outputs, "scoringImage"))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("scoringImage: the training output parity.json must be {\"requests\": [...], \"responses\": [...]}");
    }

    @Test
    void smokeSample_theDeploySectionsWins_elseTheScoreSections_elseNone() throws Exception {
        for (String name : List.of("d.json", "d-answer.json", "s.json", "s-answer.json")) {
            Files.writeString(outputs.resolve(name), "[1]");
        }
        java.util.Map<String, Object> score = java.util.Map.of("entry_script", "s.json", "model", "m.pkl",
                "sample_request", "s.json", "expected_response", "s-answer.json");
        java.util.Map<String, Object> top = new java.util.LinkedHashMap<>();
        top.put("name", "demo");
        top.put("score", score);
        top.put("deploy", java.util.Map.of("target", "local", "sample_request", "d.json", "expected_response", "d-answer.json"));
        Parity.SmokeSample own = Parity.SmokeSample.of(io.powerai.core.spec.PipelineSpec.from(top, outputs, null));
        assertThat(own.request().getFileName()).hasToString("d.json");
        assertThat(own.expected().getFileName()).hasToString("d-answer.json");

        top.put("deploy", java.util.Map.of("target", "local"));
        Parity.SmokeSample scores = Parity.SmokeSample.of(io.powerai.core.spec.PipelineSpec.from(top, outputs, null));
        assertThat(scores.request().getFileName()).hasToString("s.json");
        assertThat(scores.expected().getFileName()).hasToString("s-answer.json");

        top.remove("score");
        Parity.SmokeSample none = Parity.SmokeSample.of(io.powerai.core.spec.PipelineSpec.from(top, outputs, null));
        assertThat(none.request()).isNull();
        assertThat(none.expected()).isNull();
    }
}
