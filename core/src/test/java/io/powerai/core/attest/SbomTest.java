package io.powerai.core.attest;

import io.powerai.core.Golden;
import io.powerai.core.json.Json;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SbomTest {
    private static final Sbom.FileArtifact MODEL = new Sbom.FileArtifact("model.joblib", "aaaaaaaaaaaa", "aa".repeat(32));
    private static final Sbom.FileArtifact SERVER = new Sbom.FileArtifact("powerai_server.py", "bbbbbbbbbbbb", "bb".repeat(32));
    private static final Sbom.FileArtifact ENTRY = new Sbom.FileArtifact("score.py", null, "cc".repeat(32));

    @Test
    void environment_isValidCycloneDx15_andMatchesItsGoldenFile() throws Exception {
        String json = Json.pretty(Sbom.environment(Fixtures.manifest())) + "\n";
        assertThat(new JsonParser().validate(json, Version.VERSION_15)).isEmpty();
        Golden.assertMatches(SbomTest.class, "environment", "json", json);
    }

    @Test
    void scoringImage_isValidCycloneDx15_andMatchesItsGoldenFile() throws Exception {
        String json = Json.pretty(Sbom.scoringImage(Fixtures.scoringImage(), Fixtures.snapshotImage(), Fixtures.manifest(), MODEL, SERVER,
                ENTRY)) + "\n";
        assertThat(new JsonParser().validate(json, Version.VERSION_15)).isEmpty();
        assertThat(new JsonParser().validate(json, Version.VERSION_16)).isEmpty();
        Golden.assertMatches(SbomTest.class, "scoring-image", "json", json);
    }

    @Test
    void validator_rejectsWhatIsNotCycloneDx() throws Exception {
        // The check above cannot pass vacuously: a component without its type is refused.
        String broken = Json.pretty(Sbom.environment(Fixtures.manifest())).replace("\"type\" : \"library\"", "\"type\" : \"recipe\"");
        assertThat(new JsonParser().validate(broken, Version.VERSION_15)).isNotEmpty();
    }

    @Test
    void environment_listsEveryPackageWithItsPurl_andPipHashes() {
        Map<String, Object> bom = Sbom.environment(Fixtures.manifest());
        List<Map<String, Object>> components = components(bom);
        assertThat(components).extracting(c -> c.get("purl")).contains(
                "pkg:deb/debian/libgomp1@1%3A12.2.0-14?distro=debian-12",
                "pkg:pypi/scikit-learn@1.2.1",
                "pkg:pypi/joblib@1.3.2",
                "pkg:conda/numpy@1.26.4?build=py311h64a7726_0&channel=https%3A%2F%2Fconda.example.org%2Fconda-forge",
                "pkg:oci/python-ml@" + Fixtures.BASE_DIGEST.replace(":", "%3A") + "?repository_url=127.0.0.1%3A5000%2Fpowerai%2Fpython-ml");
        Map<String, Object> joblib = components.stream().filter(c -> "joblib".equals(c.get("name"))).findFirst().orElseThrow();
        assertThat(joblib.get("hashes")).isEqualTo(List.of(Map.of("alg", "SHA-256", "content", "0a".repeat(32))));
        assertThat(Json.pretty(bom)).doesNotContain("secret");
    }

    @Test
    void rendering_isDeterministic() {
        assertThat(Json.pretty(Sbom.environment(Fixtures.manifest()))).isEqualTo(Json.pretty(Sbom.environment(Fixtures.manifest())));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> components(Map<String, Object> bom) {
        return (List<Map<String, Object>>) bom.get("components");
    }
}
