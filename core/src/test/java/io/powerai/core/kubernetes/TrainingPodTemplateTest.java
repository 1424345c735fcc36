package io.powerai.core.kubernetes;

import io.powerai.core.PowerAiException;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.spec.TrainSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden files: core/src/test/resources/.../TrainingPodTemplateTest/*.expected.yaml (-Dpowerai.updateGolden=true rewrites them). */
class TrainingPodTemplateTest {
    private static final String IMAGE = "127.0.0.1:5000/svm-moons-env@sha256:" + "ab".repeat(32);

    @TempDir
    Path project;

    private TrainSpec train(Object gpus) throws Exception {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "svm-moons");
        params.put("script", "train.py");
        params.put("gpus", gpus);
        params.put("env", Map.of("OMP_NUM_THREADS", "1"));
        return PipelineSpec.forStep(Stage.TRAIN, params, project, null).pipeline().train();
    }

    private static void assertGolden(String name, String actual) throws Exception {
        Path golden = Path.of("src/test/resources/io/powerai/core/kubernetes/TrainingPodTemplateTest", name + ".expected.yaml");
        if (Boolean.getBoolean("powerai.updateGolden")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    @Test
    void render_withGpus_hasGpuLimitAndGpuPoolTolerations() throws Exception {
        String yaml = TrainingPodTemplate.render("svm-moons", IMAGE, train(2));
        assertGolden("gpus-2", yaml);
        assertThat(yaml).contains("nvidia.com/gpu: \"2\"").contains("key: sku").contains("value: gpu").contains("effect: NoSchedule");
    }

    @Test
    void render_withoutGpus_hasNoGpuLimitNorTolerations() throws Exception {
        String yaml = TrainingPodTemplate.render("svm-moons", IMAGE, train(0));
        assertGolden("cpu", yaml);
        assertThat(yaml).doesNotContain("nvidia.com/gpu").doesNotContain("tolerations");
    }

    @Test
    void render_twice_sameBytes() throws Exception {
        TrainSpec spec = train(1);
        assertThat(TrainingPodTemplate.render("svm-moons", IMAGE, spec)).isEqualTo(TrainingPodTemplate.render("svm-moons", IMAGE, spec));
    }

    @Test
    void render_allGpus_isRefusedWithTheRule() throws Exception {
        TrainSpec spec = train("all");
        assertThatThrownBy(() -> TrainingPodTemplate.render("svm-moons", IMAGE, spec))
                .isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessage("gpuTrain: 'gpus' must be a count on Kubernetes (a pod asks for a number of nvidia.com/gpu); got 'all'");
        assertThat(List.of(spec.gpus())).containsExactly("all");
    }
}
