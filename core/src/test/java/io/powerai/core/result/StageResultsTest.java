package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageResultsTest {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Sample(int schemaVersion, String stage, String status, AuditStamp audit, String image, Integer workers)
            implements StageResult {
    }

    @Test
    void written_sorted_and_without_absent_fields() {
        String text = StageResults.toText(new Sample(1, "gpuTrain", "succeeded", new AuditStamp(3, "ab"), "img", null));
        assertEquals("""
                {
                  "audit" : {
                    "hash" : "ab",
                    "seq" : 3
                  },
                  "image" : "img",
                  "schemaVersion" : 1,
                  "stage" : "gpuTrain",
                  "status" : "succeeded"
                }
                """, text);
    }

    @Test
    void a_field_added_by_a_newer_version_is_ignored() throws IOException {
        Sample read = StageResults.parse("{\"schemaVersion\":1,\"stage\":\"gpuTrain\",\"status\":\"failed\",\"later\":[1]}", Sample.class);
        assertEquals("failed", read.status());
        assertFalse(read.succeeded());
    }

    @Test
    void a_field_of_the_wrong_type_or_another_schema_is_refused() {
        assertThrows(IOException.class, () -> StageResults.parse(
                "{\"schemaVersion\":1,\"stage\":\"gpuTrain\",\"status\":\"succeeded\",\"workers\":\"auto (one per CPU)\"}", Sample.class));
        IOException other = assertThrows(IOException.class, () -> StageResults.parse(
                "{\"schemaVersion\":2,\"stage\":\"gpuTrain\",\"status\":\"succeeded\"}", Sample.class));
        assertTrue(other.getMessage().contains("schemaVersion 2"), other.getMessage());
    }
}
