package io.powerai.core.dev;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevSettingsTest {
    @Test
    void defaults_loopbackAnd8888() {
        assertThat(DevSettings.of(null, null, false)).isEqualTo(new DevSettings(8888, "127.0.0.1", false));
    }

    @Test
    void loopbackAddresses_needNoConfirmation() {
        assertThat(DevSettings.of(9000, "127.0.0.2", false).remote()).isFalse();
        assertThat(DevSettings.of(9000, "::1", false).probeHost()).isEqualTo("[::1]");
    }

    @Test
    void allAddresses_onlyWithAllowRemote_probedOnLoopback() {
        assertThatThrownBy(() -> DevSettings.of(9000, "0.0.0.0", false)).isInstanceOf(PowerAiException.InvalidInput.class)
                .hasMessageContaining("add --allow-remote");
        DevSettings remote = DevSettings.of(9000, "0.0.0.0", true);
        assertThat(remote.remote()).isTrue();
        assertThat(remote.probeHost()).isEqualTo("127.0.0.1");
        assertThat(DevSettings.of(9000, "::", true).probeHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void hostNamesAndBadAddresses_refused_withoutALookup() {
        for (String bad : new String[] {"localhost", "example.invalid", "300.1.1.1", "1.2.3", "0.0.0.0; rm -rf /"}) {
            assertThatThrownBy(() -> DevSettings.of(9000, bad, true)).as(bad).hasMessageContaining("must be an IP address");
        }
    }

    @Test
    void portOutOfRange_andAddress_bothReported() {
        assertThatThrownBy(() -> DevSettings.of(0, "10.0.0.1", false))
                .hasMessageContaining("'--port' must be a TCP port from 1 to 65535; got '0'")
                .hasMessageContaining("'--listen' 10.0.0.1");
    }
}
