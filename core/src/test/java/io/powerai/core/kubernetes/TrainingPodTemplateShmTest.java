package io.powerai.core.kubernetes;

import io.powerai.core.Golden;
import io.powerai.core.PowerAiException;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The training pod with a larger /dev/shm, and the GPU requests a pod cannot express. */
class TrainingPodTemplateShmTest {
    private static final String IMAGE = "127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32);

    @TempDir
    Path project;

    private TrainSpec train(Map<String, Object> extra) throws Exception {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "image-classifier");
        params.put("script", "train.py");
        params.putAll(extra);
        return PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline().train();
    }

    @Test
    void render_withShmSize_mountsAMemoryEmptyDirAtDevShm() throws Exception {
        String yaml = TrainingPodTemplate.render("image-classifier", IMAGE, train(Map.of("gpus", 1, "shm_size", "8g")));

        Golden.assertMatches(TrainingPodTemplateShmTest.class, "gpus-1-shm-8g", "yaml", yaml);
        assertThat(yaml).contains("mountPath: /dev/shm").contains("medium: Memory").contains("sizeLimit: 8Gi");
    }

    @Test
    void render_deviceIds_areRefusedOnKubernetes() {
        assertThatThrownBy(() -> TrainingPodTemplate.render("image-classifier", IMAGE, train(Map.of("gpus", "0,1"))))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("gpuTrain: 'gpus' must be a count on Kubernetes (the device plugin picks the devices; a pod cannot name them); "
                        + "got 'device=0,1'");
    }
}
