package io.powerai.core.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageReferenceTest {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    private static final String OTHER_DIGEST = "sha256:" + "f".repeat(64);

    @Test
    void parse_registryWithPort_hasNoTag() {
        ImageReference ref = ImageReference.parse("localhost:5000/app");

        assertThat(ref.registry()).isEqualTo("localhost:5000");
        assertThat(ref.repository()).isEqualTo("app");
        assertThat(ref.tag()).isEmpty();
        assertThat(ref.digest()).isEmpty();
        assertThat(ref.tagOrLatest()).isEqualTo("latest");
    }

    @Test
    void parse_registryWithPortAndTag_splitsAtTheTagColonOnly() {
        ImageReference ref = ImageReference.parse("localhost:5000/app:1.2");

        assertThat(ref.registry()).isEqualTo("localhost:5000");
        assertThat(ref.repository()).isEqualTo("app");
        assertThat(ref.tag()).contains("1.2");
    }

    @Test
    void parse_ipRegistryWithNamespace_hasRegistryRepositoryAndTag() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/powerai/python-ml:bookworm");

        assertThat(ref.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(ref.repository()).isEqualTo("powerai/python-ml");
        assertThat(ref.tag()).contains("bookworm");
        assertThat(ref.digest()).isEmpty();
        assertThat(ref.name()).isEqualTo("127.0.0.1:5000/powerai/python-ml");
    }

    @Test
    void parse_tagAndDigest_keepsBoth() {
        ImageReference ref = ImageReference.parse("myacr.azurecr.io/team/model:v3@" + DIGEST);

        assertThat(ref.registry()).isEqualTo("myacr.azurecr.io");
        assertThat(ref.repository()).isEqualTo("team/model");
        assertThat(ref.tag()).contains("v3");
        assertThat(ref.digest()).contains(DIGEST);
    }

    @Test
    void parse_digestOnly_hasNoTag() {
        ImageReference ref = ImageReference.parse("localhost:5000/app@" + DIGEST);

        assertThat(ref.tag()).isEmpty();
        assertThat(ref.digest()).contains(DIGEST);
    }

    @Test
    void parse_officialImage_defaultsToDockerHubAndLibrary() {
        ImageReference ref = ImageReference.parse("python:3.11-slim");

        assertThat(ref.registry()).isEqualTo("docker.io");
        assertThat(ref.repository()).isEqualTo("library/python");
        assertThat(ref.tag()).contains("3.11-slim");
        assertThat(ref).hasToString("docker.io/library/python:3.11-slim");
    }

    @Test
    void parse_userImageOnDockerHub_hasNoLibraryPrefix() {
        ImageReference ref = ImageReference.parse("nvidia/cuda:12.4.1-runtime-ubuntu22.04");

        assertThat(ref.registry()).isEqualTo("docker.io");
        assertThat(ref.repository()).isEqualTo("nvidia/cuda");
    }

    @Test
    void parse_firstComponentWithoutDotColonOrLocalhost_isARepositoryComponent() {
        ImageReference ref = ImageReference.parse("registry/app:1");

        assertThat(ref.registry()).isEqualTo("docker.io");
        assertThat(ref.repository()).isEqualTo("registry/app");
    }

    @Test
    void parse_localhostWithoutPort_isARegistry() {
        ImageReference ref = ImageReference.parse("localhost/app");

        assertThat(ref.registry()).isEqualTo("localhost");
        assertThat(ref.repository()).isEqualTo("app");
    }

    @Test
    void parse_uppercaseRepository_isRejectedNamingTheComponent() {
        assertThatThrownBy(() -> ImageReference.parse("localhost:5000/powerai/MyApp:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repository component 'MyApp'")
                .hasMessageContaining("lowercase");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "app:-bad        | -bad",
            "app:.hidden     | .hidden",
            "app:a/b:c+d     | c+d",
            "app:            | ''",
    })
    void parse_badTag_isRejectedNamingTheTag(String text, String tag) {
        assertThatThrownBy(() -> ImageReference.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the tag '" + tag + "'");
    }

    @Test
    void parse_tagLongerThan128_isRejected() {
        String tag = "t".repeat(129);

        assertThatThrownBy(() -> ImageReference.parse("app:" + tag))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the tag '" + tag + "'")
                .hasMessageContaining("1-128");
        assertThat(ImageReference.parse("app:" + "t".repeat(128)).tag()).contains("t".repeat(128));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sha256:abc",
            "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "md5:0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    })
    void parse_badDigest_isRejectedNamingTheDigest(String digest) {
        assertThatThrownBy(() -> ImageReference.parse("localhost:5000/app@" + digest))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the digest '" + digest + "'")
                .hasMessageContaining("64 lowercase hex");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void parse_empty_isRejected(String text) {
        assertThatThrownBy(() -> ImageReference.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an image reference must not be empty");
    }

    @Test
    void parse_null_isRejectedAsEmpty() {
        assertThatThrownBy(() -> ImageReference.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an image reference must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {" python:3.11", "python:3.11 ", "\tpython:3.11"})
    void parse_surroundingSpaces_areRejected(String text) {
        assertThatThrownBy(() -> ImageReference.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an image reference must not contain spaces");
    }

    @Test
    void parse_spaceInsideRepository_isRejectedNamingTheComponent() {
        assertThatThrownBy(() -> ImageReference.parse("localhost:5000/my app:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repository component 'my app'");
    }

    @Test
    void parse_spaceInsideTag_isRejectedNamingTheTag() {
        assertThatThrownBy(() -> ImageReference.parse("localhost:5000/app:1 0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the tag '1 0'");
    }

    @Test
    void parse_badRegistry_isRejectedNamingTheRegistry() {
        assertThatThrownBy(() -> ImageReference.parse("-bad.example.com/app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the registry '-bad.example.com'");
    }

    @Test
    void parse_registryWithoutRepository_isRejected() {
        assertThatThrownBy(() -> ImageReference.parse("localhost:5000/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repository");
    }

    @Test
    void pinned_dropsTheTagAndKeepsTheDigest() {
        ImageReference tagged = ImageReference.parse("127.0.0.1:5000/powerai/python-ml:bookworm");

        ImageReference pinned = tagged.pinned(DIGEST);

        assertThat(pinned.tag()).isEmpty();
        assertThat(pinned.digest()).contains(DIGEST);
        assertThat(pinned).hasToString("127.0.0.1:5000/powerai/python-ml@" + DIGEST);
        assertThat(tagged.tag()).as("the original is unchanged").contains("bookworm");
    }

    @Test
    void pinned_replacesAnEarlierDigest() {
        ImageReference ref = ImageReference.parse("localhost:5000/app:1@" + DIGEST);

        assertThat(ref.pinned(OTHER_DIGEST)).hasToString("localhost:5000/app@" + OTHER_DIGEST);
    }

    @Test
    void pinned_withAMalformedDigest_isRejected() {
        ImageReference ref = ImageReference.parse("localhost:5000/app:1");

        assertThatThrownBy(() -> ref.pinned("sha256:nothex"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sha256:nothex");
    }

    @Test
    void withDigest_keepsTheTag() {
        ImageReference ref = ImageReference.parse("localhost:5000/app:1").withDigest(DIGEST);

        assertThat(ref).hasToString("localhost:5000/app:1@" + DIGEST);
    }

    @Test
    void of_buildsTheSameReferenceAsParse() {
        assertThat(ImageReference.of("127.0.0.1:5000", "svm-moons-env", "abc123"))
                .isEqualTo(ImageReference.parse("127.0.0.1:5000/svm-moons-env:abc123"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "localhost:5000/app",
            "127.0.0.1:5000/powerai/python-ml:bookworm",
            "docker.io/library/python:3.11",
            "myacr.azurecr.io/team/model:v3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/org/a.b_c__d-e/f:1.0-rc_1",
    })
    void toString_ofAFullyQualifiedReference_isTheInputAndParsesBackEqual(String text) {
        ImageReference ref = ImageReference.parse(text);

        assertThat(ref).hasToString(text);
        ImageReference again = ImageReference.parse(ref.toString());
        assertThat(again).isEqualTo(ref).hasSameHashCodeAs(ref);
        assertThat(again.registry()).isEqualTo(ref.registry());
        assertThat(again.repository()).isEqualTo(ref.repository());
        assertThat(again.tag()).isEqualTo(ref.tag());
        assertThat(again.digest()).isEqualTo(ref.digest());
    }

    @Test
    void toString_ofAShortReference_isQualifiedAndStable() {
        ImageReference ref = ImageReference.parse("python:3.11");

        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref).hasToString("docker.io/library/python:3.11");
    }

    @Test
    void equals_differentTags_areDifferent() {
        assertThat(ImageReference.parse("localhost:5000/app:1")).isNotEqualTo(ImageReference.parse("localhost:5000/app:2"));
    }
}
