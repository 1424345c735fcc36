package io.powerai.core.kubernetes;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The listing the pod sends is read as NUL-separated paths, and no path may lead out of the outputs folder on the
 * agent. The copy itself, over a real exec protocol: {@link ExecOutputsTransportMockServerTest}.
 */
class ExecOutputsTransportTest {
    private static byte[] listing(String... paths) {
        return (String.join("\0", paths) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void files_findPrint0_relativePathsInOrder_namesWithSpacesAndNewlinesKept() throws Exception {
        assertThat(ExecOutputsTransport.files(listing("./model.pkl", "./checkpoints/epoch 1.pt", "./odd\nname.txt")))
                .containsExactly("model.pkl", "checkpoints/epoch 1.pt", "odd\nname.txt");
        assertThat(ExecOutputsTransport.files(new byte[0])).isEmpty();
    }

    @Test
    void files_pathsLeavingTheFolder_areRefused() {
        assertThatThrownBy(() -> ExecOutputsTransport.files(listing("./model.pkl", "./../../home/ci/.ssh/authorized_keys")))
                .isInstanceOf(OutputsTransport.Unavailable.class)
                .hasMessage("the pod listed an output path outside its outputs folder: './../../home/ci/.ssh/authorized_keys'");
        assertThatThrownBy(() -> ExecOutputsTransport.files(listing("/etc/passwd")))
                .isInstanceOf(OutputsTransport.Unavailable.class);
        assertThatThrownBy(() -> ExecOutputsTransport.files(listing("./a/../../b")))
                .isInstanceOf(OutputsTransport.Unavailable.class);
        assertThatThrownBy(() -> ExecOutputsTransport.files(listing("./x\n/../../b\t")))
                .hasMessage("the pod listed an output path outside its outputs folder: './x\\n/../../b\\u0009'");
    }
}
