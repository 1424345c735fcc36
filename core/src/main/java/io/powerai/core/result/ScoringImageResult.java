package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.io.IOException;
import java.util.List;

/**
 * What {@code scoringImage} leaves in {@code .powerai/scoringImage.json}: the image pushed (pinned by digest, and by
 * its tag), what it was built from (snapshot image, model and its digest, entry script, the project's source and
 * revision where known), how it serves, and what its parity gate checked. A run recorded as aborted holds only the
 * common fields.
 *
 * @param model the model's path in the training outputs
 * @param modelDir where the model lies in the image
 * @param startToFirstScoreMillis from the container's start to its first answer; written as null when the gate
 *                                checked readiness only (no sample), as it always was
 * @param smokeTestAnswer the last answer of the parity gate, as JSON
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScoringImageResult(int schemaVersion, String stage, String status, AuditStamp audit,
                                 String image, String imageTag, String digest, String snapshotImage,
                                 String model, String modelSha256, String modelDir, String entryScript,
                                 String source, String revision,
                                 Long imageSizeBytes, Long snapshotImageSizeBytes, Long overheadBytes,
                                 Serving serving, Parity parity, Attestations attestations,
                                 @JsonInclude(JsonInclude.Include.ALWAYS) Long startToFirstScoreMillis,
                                 JsonNode smokeTestAnswer, String dockerfile, Long durationMillis)
        implements StageResult {

    /**
     * How the image's scoring server serves.
     *
     * @param workers worker processes; 0 when the image leaves it to the server (one per CPU the container may use)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Serving(@JsonDeserialize(using = WorkersRead.class) Integer workers, int scoringTimeoutMs,
                          int maxRequestBytes, String server, boolean preload) {
        /** The worker count the image fixes, or null when the server picks it (a deployment may then set it). */
        public Integer fixedWorkers() {
            return workers == null || workers == 0 ? null : workers;
        }

        /** For people: "2", or "auto (one per CPU)". */
        public String workersText() {
            return fixedWorkers() == null ? "auto (one per CPU)" : String.valueOf(workers);
        }
    }

    /**
     * What the parity gate checked before the push.
     *
     * @param checked requests sent
     * @param compared answers compared with recorded ones
     * @param sources where the requests came from (parity.json, the score section's sample)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parity(int checked, int compared, List<String> sources, double tolerance) {
        public Parity {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    /**
     * Results written before 'workers' became a number said "auto (one per CPU)" for 0; that text reads as 0, any
     * other text is refused like any field of the wrong type.
     */
    static final class WorkersRead extends JsonDeserializer<Integer> {
        private static final String LEGACY_AUTO = "auto (one per CPU)";

        @Override
        public Integer deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return parser.getIntValue();
            }
            if (parser.currentToken() == JsonToken.VALUE_STRING && LEGACY_AUTO.equals(parser.getText())) {
                return 0;
            }
            return (Integer) context.handleUnexpectedToken(Integer.class, parser);
        }
    }
}
