package io.powerai.core.result;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one way a stage result goes to and comes back from its file. Written as every result file always was (keys
 * sorted, indented, absent fields left out); read strictly in types, leniently in fields: a field a newer powerai
 * added is ignored, so an older reader keeps working across an additive change, while a field of the wrong type or
 * a different {@code schemaVersion} is an error.
 */
public final class StageResults {
    private static final ObjectReader READER = Json.mapper().reader()
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StageResults() {
    }

    /** The pretty, key-sorted text of a result file. */
    public static String toText(StageResult result) {
        return Json.pretty(result);
    }

    /** The result as a plain tree of maps and lists: what the Groovy step returns and what the audit log embeds. */
    public static Map<String, Object> toMap(StageResult result) {
        return Json.mapper().convertValue(result, Json.mapper().getTypeFactory()
                .constructMapType(java.util.LinkedHashMap.class, String.class, Object.class));
    }

    public static <T extends StageResult> T read(Path file, Class<T> type) throws IOException {
        T result = READER.readValue(file.toFile(), type);
        return checked(result, file.toString());
    }

    public static <T extends StageResult> T parse(String text, Class<T> type) throws IOException {
        return checked(READER.readValue(text, type), "result");
    }

    private static <T extends StageResult> T checked(T result, String where) throws IOException {
        if (result == null) {
            throw new IOException(where + ": empty result");
        }
        if (result.schemaVersion() != StageResult.CURRENT_SCHEMA_VERSION) {
            throw new IOException(where + ": schemaVersion " + result.schemaVersion() + " is not "
                    + StageResult.CURRENT_SCHEMA_VERSION + " (written by another powerai version)");
        }
        return result;
    }
}
