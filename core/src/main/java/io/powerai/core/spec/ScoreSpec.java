package io.powerai.core.spec;

import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code score} section: the Azure ML entry script ({@code init()}, {@code run(raw_data)}), which training
 * output is the model, the sample request whose answer the smoke test checks, how the scoring server serves
 * (workers, timeout, request size limit, server) and how close the image's answers must be to the recorded ones.
 *
 * @param workers server worker processes; 0: one per CPU the container may use, decided when it starts
 * @param server {@code auto} (gunicorn when the image has it, else the built-in server), {@code builtin}, {@code gunicorn}
 * @param preload whether the server's master imports the entry script (and the modules the model's pickles name)
 *                once before it forks the workers; false: each worker imports it, as Azure ML's server does
 */
public record ScoreSpec(Path entryScript, String model, Path sampleRequest, Path expectedResponse,
                        int workers, int scoringTimeoutMs, int maxRequestBytes, double parityTolerance, String server,
                        boolean preload) {

    public static final Set<String> KEYS = Set.of("entry_script", "model", "sample_request", "expected_response",
            "workers", "scoring_timeout_ms", "max_request_bytes", "parity_tolerance", "server", "preload");
    public static final int DEFAULT_SCORING_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
    public static final double DEFAULT_PARITY_TOLERANCE = 1e-6;
    private static final Pattern SERVER = Pattern.compile("auto|builtin|gunicorn");

    private static final Pattern COPY_PATTERN = Pattern.compile("[*?\\[\\]\\\\$]");
    private static final Pattern RELATIVE_PATH = Pattern.compile("(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\x00-\\x1f\\x7f]+");

    /** The first four keys with the serving defaults. */
    public ScoreSpec(Path entryScript, String model, Path sampleRequest, Path expectedResponse) {
        this(entryScript, model, sampleRequest, expectedResponse, 0, DEFAULT_SCORING_TIMEOUT_MS, DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_PARITY_TOLERANCE, "auto", true);
    }

    static ScoreSpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        Path entry = s.pathInside("entry_script", true, projectDir, false);
        if (entry != null && COPY_PATTERN.matcher(entry.getFileName().toString()).find()) {
            // The scoring image's Dockerfile copies the script by its name, and COPY reads these as a pattern or a variable.
            s.problem("entry_script", s.raw("entry_script"), "must be a file name without * ? [ ] \\ or $");
            entry = null;
        }
        String model = s.matching("model", true, RELATIVE_PATH,
                "must be a path inside the training outputs (relative, no '..')");
        Path sample = s.pathInside("sample_request", false, projectDir, false);
        Path expected = s.pathInside("expected_response", false, projectDir, false);
        if (expected != null && sample == null && !s.has("sample_request")) {
            s.problem("expected_response", s.raw("expected_response"), "needs 'sample_request' too (the request it answers)");
        }
        int workers = s.integer("workers", 0, 1, 256);
        int timeout = s.integer("scoring_timeout_ms", DEFAULT_SCORING_TIMEOUT_MS, 100, 3_600_000);
        int maxBytes = s.integer("max_request_bytes", DEFAULT_MAX_REQUEST_BYTES, 1024, 1 << 30);
        String server = s.has("server") ? s.matching("server", false, SERVER, "must be auto, builtin or gunicorn") : "auto";
        return new ScoreSpec(entry, model, sample, expected, workers, timeout, maxBytes, tolerance(s), server == null ? "auto" : server,
                s.bool("preload", true));
    }

    private static double tolerance(Section s) {
        Object value = s.raw("parity_tolerance");
        if (value == null) {
            return DEFAULT_PARITY_TOLERANCE;
        }
        double tolerance = Double.NaN;
        if (value instanceof Number number) {
            tolerance = number.doubleValue();
        } else if (value instanceof String text && text.strip().matches("[0-9]*\\.?[0-9]+([eE]-?[0-9]+)?")) {
            tolerance = Double.parseDouble(text.strip()); // YAML 1.1 reads 1e-6 (no dot) as a string
        }
        if (tolerance >= 0 && tolerance < 1) {
            return tolerance;
        }
        s.problem("parity_tolerance", value, "must be a number from 0 (exact) to below 1 (a relative difference, e.g. 1e-6)");
        return DEFAULT_PARITY_TOLERANCE;
    }
}
