package io.powerai.core.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How powerai writes Kubernetes objects, for people (dry runs, pod templates) and for the API: keys sorted as
 * kubectl prints them, no document-start marker, so the same objects give the same bytes.
 */
public final class KubeYaml {
    /** Without scanning the class path for every model class (seconds at start); the objects here are typed. */
    public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(new ObjectMapper(), false);
    private static final YAMLMapper YAML = (YAMLMapper) YAMLMapper.builder(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .disable(YAMLGenerator.Feature.SPLIT_LINES)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS))
            .build()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private KubeYaml() {
    }

    /** Multi-document YAML, one document per object, separated by {@code ---}. */
    public static String yaml(List<? extends KubernetesResource> objects) {
        StringBuilder out = new StringBuilder();
        for (KubernetesResource object : objects) {
            if (out.length() > 0) {
                out.append("---\n");
            }
            try {
                Object tree = YAML.readValue(SERIALIZATION.asJson(object), Object.class);
                out.append(YAML.writeValueAsString(tree));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }
}
