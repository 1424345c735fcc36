package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;
import java.util.TreeMap;

/**
 * The attestations a stage wrote, as its result and audit record name them: each file (relative to
 * {@code .powerai/}) with its SHA-256, whether they are signed, and by which key (absent when unsigned).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Attestations(Map<String, String> files, boolean signed, String keyId) {
    public Attestations {
        files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    }
}
