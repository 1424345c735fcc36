package io.powerai.core.attest;

import io.powerai.core.image.ImageReference;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PurlTest {
    @Test
    void deb_encodesEpochAndPlus_andSortsQualifiers() {
        assertThat(Purl.deb("debian", "libc6", "1:2.36-9+deb12u4", "amd64", "debian-12"))
                .isEqualTo("pkg:deb/debian/libc6@1%3A2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
        assertThat(Purl.deb(null, "bash", "5.2.15-2+b13", null, null)).isEqualTo("pkg:deb/debian/bash@5.2.15-2%2Bb13");
    }

    @Test
    void pypi_normalisesTheName() {
        assertThat(Purl.pypi("Scikit_Learn", "1.3.0")).isEqualTo("pkg:pypi/scikit-learn@1.3.0");
        assertThat(Purl.pypi("zope.interface", "6.0")).isEqualTo("pkg:pypi/zope-interface@6.0");
    }

    @Test
    void conda_carriesBuildAndChannel() {
        assertThat(Purl.conda("numpy", "1.26.4", "py311h64a7726_0", "https://example.org/conda-forge"))
                .isEqualTo("pkg:conda/numpy@1.26.4?build=py311h64a7726_0&channel=https%3A%2F%2Fexample.org%2Fconda-forge");
    }

    @Test
    void oci_namesTheImageByDigest() {
        String digest = "sha256:" + "ab".repeat(32);
        assertThat(Purl.oci(ImageReference.parse("127.0.0.1:5000/powerai/python-ml@" + digest)))
                .isEqualTo("pkg:oci/python-ml@sha256%3A" + "ab".repeat(32) + "?repository_url=127.0.0.1%3A5000%2Fpowerai%2Fpython-ml");
    }
}
