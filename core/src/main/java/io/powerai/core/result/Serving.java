package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.powerai.core.json.Json;

import java.util.Arrays;
import java.util.List;

/**
 * What serves after a deploy stage's action, in the one JSON field {@code serving} that has two shapes: on
 * Kubernetes the list of {@link ServingVersion}s (empty: nothing serves); in the record of an aborted local
 * deployment the image that serves as text ("": nothing serves). Exactly one of the two is set.
 */
public record Serving(List<ServingVersion> versions, String image) {

    public Serving {
        if ((versions == null) == (image == null)) {
            throw new IllegalArgumentException("serving is either a list of versions or an image");
        }
        versions = versions == null ? null : List.copyOf(versions);
    }

    public static Serving of(List<ServingVersion> versions) {
        return new Serving(versions, null);
    }

    public static Serving ofImage(String image) {
        return new Serving(null, image);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Serving fromJson(JsonNode node) {
        if (node.isTextual()) {
            return ofImage(node.textValue());
        }
        if (node.isArray()) {
            return of(Arrays.asList(Json.mapper().convertValue(node, ServingVersion[].class)));
        }
        throw new IllegalArgumentException("'serving' must be a list of versions or an image; got " + node.getNodeType());
    }

    @JsonValue
    Object toJson() {
        return versions != null ? versions : image;
    }
}
