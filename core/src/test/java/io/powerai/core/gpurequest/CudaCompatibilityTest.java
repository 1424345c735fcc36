package io.powerai.core.gpurequest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class CudaCompatibilityTest {
    private static final String H100_DRIVER = "580.159.04"; // the real fixture host

    @ParameterizedTest
    @CsvSource({
            "13.0, 580.65.06", "13.0.1, 580.82.07", "13.0.2, 580.95.05", "13.1, 590.44.01", "13.2.2, 595.71.05",
            "12.9, 575.51.03", "12.9.1, 575.57.08", "12.8, 570.26", "12.6, 560.28.03", "12.6.3, 560.35.05",
            "12.4, 550.54.14", "12.4.1, 550.54.15", "12.2.2, 535.104.05", "12.0, 525.60.13", "11.8, 520.61.05",
            "11.0, 450.51.05", "10.2, 440.33",
            // an update the table does not list takes the newest one it does list below it
            "12.3.2, 545.23.08", "12.4.7, 550.54.15"})
    void minimumDriver_fromTheReleaseNotesTable(String cuda, String driver) {
        assertThat(CudaCompatibility.minimumDriver(cuda)).isEqualTo(driver);
    }

    @Test
    void minimumDriver_versionThatWasNeverReleased_isUnknown() {
        assertThat(CudaCompatibility.minimumDriver("12.7")).isNull();
        assertThat(CudaCompatibility.minimumDriver("14.0")).isNull();
    }

    @Test
    void check_h100Driver_runsCuda12And13() {
        assertThat(CudaCompatibility.check("12.4", H100_DRIVER, "13.0").status()).isEqualTo(CudaCompatibility.Status.OK);
        assertThat(CudaCompatibility.check("13.0.2", H100_DRIVER, "13.0").status()).isEqualTo(CudaCompatibility.Status.OK);
        assertThat(CudaCompatibility.check("12.4", H100_DRIVER, "13.0").message()).isEqualTo("driver 580.159.04 runs CUDA 12.4 (needs >= 550.54.14)");
    }

    @Test
    void check_newerMinorOfTheSameMajor_runsThroughMinorVersionCompatibility() {
        CudaCompatibility.Verdict v = CudaCompatibility.check("13.1", H100_DRIVER, "13.0");

        assertThat(v.status()).isEqualTo(CudaCompatibility.Status.MINOR_VERSION_COMPATIBILITY);
        assertThat(v.requiredDriver()).isEqualTo("590.44.01");
        assertThat(v.message()).contains("minor version compatibility (13.x on >= 580)");
    }

    @Test
    void check_driverOfAnOlderBranch_isTooOldWithTheFix() {
        CudaCompatibility.Verdict v = CudaCompatibility.check("13.0", "535.104.05", "12.2");

        assertThat(v.status()).isEqualTo(CudaCompatibility.Status.DRIVER_TOO_OLD);
        assertThat(v.message()).isEqualTo("driver 535.104.05 is too old for CUDA 13.0 (needs >= 580.65.06, or >= 580 through minor "
                + "version compatibility); upgrade the driver or use an image built for CUDA <= 12.2");
    }

    @Test
    void check_cuda12OnAnR525Driver_isMinorCompatibility() {
        assertThat(CudaCompatibility.check("12.8", "535.104.05", "12.2").status()).isEqualTo(CudaCompatibility.Status.MINOR_VERSION_COMPATIBILITY);
        assertThat(CudaCompatibility.check("12.8", "520.61.05", "11.8").status()).isEqualTo(CudaCompatibility.Status.DRIVER_TOO_OLD);
    }

    @Test
    void check_cuda10_hasNoCompatibilityRange() {
        assertThat(CudaCompatibility.check("10.2", "418.39", "10.1").status()).isEqualTo(CudaCompatibility.Status.DRIVER_TOO_OLD);
    }

    @Test
    void check_toolkitNewerThanTheTable_trustsTheDriversOwnReport() {
        assertThat(CudaCompatibility.check("14.0", "610.10", "14.1").status()).isEqualTo(CudaCompatibility.Status.OK);
        assertThat(CudaCompatibility.check("14.0", H100_DRIVER, "13.0").status()).isEqualTo(CudaCompatibility.Status.DRIVER_TOO_OLD);
        assertThat(CudaCompatibility.check("13.9", H100_DRIVER, "13.0").status()).isEqualTo(CudaCompatibility.Status.MINOR_VERSION_COMPATIBILITY);
        assertThat(CudaCompatibility.check("14.0", H100_DRIVER, null).status()).isEqualTo(CudaCompatibility.Status.UNKNOWN);
        assertThat(CudaCompatibility.check("12.4", null, null).status()).isEqualTo(CudaCompatibility.Status.UNKNOWN);
    }

    @Test
    void compare_numbersNotText() {
        assertThat(CudaCompatibility.compare("580.159.04", "580.65.06")).isPositive();
        assertThat(CudaCompatibility.compare("570.26", "570.124.06")).isNegative();
        assertThat(CudaCompatibility.compare("13.0", "13")).isZero();
    }
}
