package io.powerai.core.spec;

import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code score} section: the Azure ML entry script ({@code init()}, {@code run(raw_data)}), which training
 * output is the model, and the sample request whose answer the smoke test checks.
 */
public record ScoreSpec(Path entryScript, String model, Path sampleRequest, Path expectedResponse) {

    public static final Set<String> KEYS = Set.of("entry_script", "model", "sample_request", "expected_response");
    private static final Pattern RELATIVE_PATH = Pattern.compile("(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\x00]+");

    static ScoreSpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        Path entry = s.pathInside("entry_script", true, projectDir, false);
        String model = s.matching("model", true, RELATIVE_PATH,
                "must be a path inside the training outputs (relative, no '..')");
        Path sample = s.pathInside("sample_request", false, projectDir, false);
        Path expected = s.pathInside("expected_response", false, projectDir, false);
        if (expected != null && sample == null && !s.has("sample_request")) {
            s.problem("expected_response", s.raw("expected_response"), "needs 'sample_request' too (the request it answers)");
        }
        return new ScoreSpec(entry, model, sample, expected);
    }
}
