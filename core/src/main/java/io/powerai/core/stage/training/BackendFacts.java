package io.powerai.core.stage.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.powerai.core.json.Json;
import io.powerai.core.result.TrainingResult;

import java.util.Map;
import java.util.TreeMap;

/**
 * What only the backend that ran a training knows, each part absent for the backends that do not have it: kept in
 * the result (as fields of {@link TrainingResult}) and in the audit record's details (under the same names).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendFacts(TrainingResult.NativeEnvironment environment, Map<String, Object> gpuPreflight,
                           TrainingResult.GpuTelemetry gpuTelemetry, TrainingResult.KubernetesPlacement kubernetes,
                           TrainingResult.AgentPodPlacement placement) {
    public static final BackendFacts NONE = new BackendFacts(null, null, null, null, null);

    /** As the audit record's details and the attestations carry them: a JSON object. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = Json.mapper().convertValue(this, Json.mapper().getTypeFactory()
                .constructMapType(TreeMap.class, String.class, Object.class));
        return map;
    }
}
