package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ModelHistoryPageTest {
    /** The .powerai folder of a real `powerai run examples/svm-moons`, kept with the core's lineage tests. */
    private static final Path SVM = Path.of("../core/src/test/resources/io/powerai/core/lineage/svm-moons");

    @TempDir
    Path jobDir;

    /** A build folder as poweraiRecordLineage leaves it: the copy under powerai/. */
    private Path build(int number, double testAccuracy, String deployStatus) throws Exception {
        Path buildDir = jobDir.resolve("builds/" + number);
        Path copy = LineageFiles.auditLog(buildDir).getParent();
        try (Stream<Path> files = Files.walk(SVM)) {
            for (Path file : files.toList()) {
                Path to = copy.resolve(SVM.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
        }
        Files.writeString(copy.resolve("train/metrics.json"), Json.pretty(Map.of("points",
                List.of(Map.of("name", "test_accuracy", "value", testAccuracy)))));
        Map<String, Object> deploy = Json.readObject(copy.resolve("aksDeploy.json"));
        deploy.put("status", deployStatus);
        Files.writeString(copy.resolve("aksDeploy.json"), Json.pretty(deploy));
        return buildDir;
    }

    @Test
    void of_threeBuilds_newestFirst_theServingOneMarked_andATrendPerMetric() throws Exception {
        Map<String, Path> builds = new LinkedHashMap<>();
        builds.put("#1", build(1, 0.97, "succeeded"));
        builds.put("#2", build(2, 0.99, "succeeded"));
        builds.put("#3", build(3, 0.82, "kept"));
        builds.put("#4", jobDir.resolve("builds/4")); // a build that recorded nothing

        ModelHistoryPage page = ModelHistoryPage.of(builds);

        assertThat(page.getRows()).extracting(ModelHistoryPage.Row::getBuild).containsExactly("#3", "#2", "#1");
        assertThat(page.getRows()).extracting(ModelHistoryPage.Row::isServing).containsExactly(false, true, false);
        assertThat(page.getRows().get(0).getDeployment()).isEqualTo("kept");
        assertThat(page.getRows().get(0).getModel()).isEqualTo("8473bde5ef7d");
        String svg = new String(Base64.getDecoder().decode(page.getTrend().substring("data:image/svg+xml;base64,".length())),
                StandardCharsets.UTF_8);
        assertThat(svg).contains(">metrics over builds</text>").contains(">last 0.82 at build 3</text>");
    }
}
