package io.powerai.core.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.powerai.core.PowerAiException;
import io.powerai.core.files.ProjectPaths;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The parity gate: requests whose answers were recorded when the model was trained, and the comparison of the
 * scoring image's answers with them. Strings, booleans, null and whole numbers (classes, counts) must be equal;
 * floating-point numbers may differ by a relative tolerance, since the same model can round differently in
 * another process or BLAS build.
 */
public final class Parity {
    /** The file a training script may write into its outputs: {"requests": [...], "responses": [...]}. */
    public static final String FILE_NAME = "parity.json";
    public static final int MAX_DIFFERENCES = 20;

    /**
     * One recorded request and its answer.
     *
     * @param origin where it was recorded, for messages: {@code parity.json request 3}, {@code sample-request.json}
     * @param body what is sent to {@code POST /score}
     * @param expected the recorded answer as a JSON value; null when only a 200 JSON answer is required
     */
    public record Case(String origin, String body, Object expected, boolean hasExpected) {
    }

    private Parity() {
    }

    /**
     * The cases of {@code parity.json} (training outputs). A string request is sent as it is (raw data for
     * {@code run()}); any other JSON value is sent as its JSON text.
     */
    public static List<Case> fromTrainingOutputs(Path outputs, String stage) {
        Path file = outputs.resolve(FILE_NAME);
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        Object tree;
        try {
            tree = Json.mapper().readValue(ProjectPaths.readString(outputs, file, stage + ": the training output " + FILE_NAME), Object.class);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(stage + ": the training output " + FILE_NAME + " is not JSON: "
                    + ScoringProbe.oneLine(e.getMessage()));
        }
        if (!(tree instanceof Map<?, ?> map) || !(map.get("requests") instanceof List<?> requests)
                || !(map.get("responses") instanceof List<?> responses) || requests.size() != responses.size()) {
            throw new PowerAiException.InvalidInput(stage + ": the training output " + FILE_NAME
                    + " must be {\"requests\": [...], \"responses\": [...]} with one response per request");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Object request = requests.get(i);
            String body = request instanceof String text ? text : Json.canonical(request);
            cases.add(new Case(FILE_NAME + " request " + (i + 1), body, responses.get(i), true));
        }
        return cases;
    }

    /** The score section's sample request and, when given, its expected response. */
    public static Case fromSample(Path sampleRequest, Path expectedResponse, String stage) {
        try {
            String body = Files.readString(sampleRequest);
            if (expectedResponse == null) {
                return new Case(sampleRequest.getFileName().toString(), body, null, false);
            }
            Object expected = Json.mapper().readValue(Files.readString(expectedResponse), Object.class);
            return new Case(sampleRequest.getFileName().toString(), body, expected, true);
        } catch (JsonProcessingException e) {
            throw new PowerAiException.InvalidInput(stage + ": 'expected_response' must be a JSON file; "
                    + expectedResponse.getFileName() + " is not: " + ScoringProbe.oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(stage + ": cannot read the sample: " + e.getMessage());
        }
    }

    /**
     * The tolerance a smoke test compares with: the {@code score} section's {@code parity_tolerance} when the
     * pipeline has one (the deployment answers as the image did at its parity gate), else the default.
     */
    public static double smokeTolerance(io.powerai.core.spec.PipelineSpec spec) {
        return spec.score() != null ? spec.score().parityTolerance() : io.powerai.core.spec.ScoreSpec.DEFAULT_PARITY_TOLERANCE;
    }

    /**
     * The sample a deployment's smoke test sends and the answer it expects: the {@code deploy} section's, else the
     * {@code score} section's (the sample the image's parity gate answered); {@code request} null when neither has one.
     */
    public record SmokeSample(java.nio.file.Path request, java.nio.file.Path expected) {
        public static SmokeSample of(io.powerai.core.spec.PipelineSpec spec) {
            io.powerai.core.spec.DeploySpec deploy = spec.deploy();
            if (deploy.sampleRequest() == null && spec.score() != null) {
                return new SmokeSample(spec.score().sampleRequest(), spec.score().expectedResponse());
            }
            return new SmokeSample(deploy.sampleRequest(), deploy.expectedResponse());
        }
    }

    /** At most {@code max} differences, "; "-joined, with how many more there are: for a one-line message. */
    public static String summary(List<String> differences, int max) {
        String shown = String.join("; ", differences.subList(0, Math.min(max, differences.size())));
        return differences.size() > max ? shown + " (and " + (differences.size() - max) + " more)" : shown;
    }

    /**
     * The differences between a recorded answer and the image's, one line each with its JSON path
     * ({@code $.predictions[2]: expected 1, got 0}); empty when they match.
     */
    public static List<String> differences(Object expected, Object actual, double tolerance) {
        List<String> out = new ArrayList<>();
        compare("$", expected, actual, tolerance, out);
        return out;
    }

    private static void compare(String path, Object expected, Object actual, double tolerance, List<String> out) {
        if (expected instanceof Map<?, ?> e) {
            if (!(actual instanceof Map<?, ?> a)) {
                out.add(path + ": expected an object, got " + show(actual));
                return;
            }
            TreeSet<String> keys = new TreeSet<>();
            e.keySet().forEach(k -> keys.add(String.valueOf(k)));
            a.keySet().forEach(k -> keys.add(String.valueOf(k)));
            for (String key : keys) {
                String child = path + "." + key;
                if (!a.containsKey(key)) {
                    out.add(child + ": missing (expected " + show(e.get(key)) + ")");
                } else if (!e.containsKey(key)) {
                    out.add(child + ": not expected (got " + show(a.get(key)) + ")");
                } else {
                    compare(child, e.get(key), a.get(key), tolerance, out);
                }
            }
        } else if (expected instanceof List<?> e) {
            if (!(actual instanceof List<?> a)) {
                out.add(path + ": expected an array, got " + show(actual));
                return;
            }
            if (e.size() != a.size()) {
                out.add(path + ": expected " + e.size() + " items, got " + a.size());
            }
            for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                compare(path + "[" + i + "]", e.get(i), a.get(i), tolerance, out);
            }
        } else if (expected instanceof Number e && !(expected instanceof Boolean)) {
            if (!(actual instanceof Number a)) {
                out.add(path + ": expected " + show(expected) + ", got " + show(actual));
            } else if (isWhole(e)) {
                if (decimal(e).compareTo(decimal(a)) != 0) {
                    out.add(path + ": expected " + e + ", got " + a + " (whole numbers must be equal)");
                }
            } else {
                double x = e.doubleValue();
                double y = a.doubleValue();
                if (!floatsMatch(x, y, tolerance)) {
                    double relative = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
                    out.add(path + ": expected " + x + ", got " + y + " (relative difference " + String.format("%.3g", relative)
                            + " > tolerance " + tolerance + ")");
                }
            }
        } else if (!Objects.equals(expected, actual)) {
            out.add(path + ": expected " + show(expected) + ", got " + show(actual));
        }
    }

    /** |x - y| <= tolerance * max(|x|, |y|); two numbers both within the tolerance of zero match too. */
    static boolean floatsMatch(double x, double y, double tolerance) {
        if (x == y) {
            return true;
        }
        if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || Double.isInfinite(y)) {
            return false;
        }
        if (Math.abs(x) <= tolerance && Math.abs(y) <= tolerance) {
            return true;
        }
        return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
    }

    private static boolean isWhole(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof BigInteger || n instanceof Short || n instanceof Byte;
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (isWhole(n)) {
            return BigDecimal.valueOf(n.longValue());
        }
        double d = n.doubleValue();
        return Double.isFinite(d) ? new BigDecimal(d) : BigDecimal.valueOf(Long.MAX_VALUE).add(BigDecimal.ONE);
    }

    private static String show(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return Json.canonical(s);
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            String text = Json.canonical(value);
            return text.length() > 80 ? text.substring(0, 77) + "..." : text;
        }
        return String.valueOf(value);
    }
}
