package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.powerai.core.stage.training.TrainingRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The outputs of a training pod copied out through exec, with fabric8's real client speaking the real exec protocol
 * ({@code v4.channel.k8s.io}) over a WebSocket. The API server is fabric8's mock in CRUD mode (no real API server can
 * run here); {@link PodWebSockets} plays the kubelet: the commands the client sends run as real processes, with the
 * container's {@value TrainingRun#OUTPUTS} and the release file standing for folders of the test.
 */
class ExecOutputsTransportMockServerTest {
    private static final String NS = "training";
    private static final String POD = "fit-7c9f-abcde";

    @TempDir
    Path tmp;
    private MockApiServer api;
    private ExecOutputsTransport transport;
    private Path podOutputs;
    private Path releaseFile;

    @BeforeEach
    void setUp() throws Exception {
        api = new MockApiServer();
        api.client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName(POD).withNamespace(NS).endMetadata()
                .withNewSpec().addNewContainer().withName(TrainingJob.KEEPER).withImage("debian").endContainer().endSpec()
                .build()).create();
        podOutputs = Files.createDirectories(tmp.resolve("pod/outputs"));
        releaseFile = tmp.resolve("pod/release");
        api.pods.execMount(TrainingRun.OUTPUTS, podOutputs);
        api.pods.execMount(TrainingJob.RELEASE_FILE, releaseFile);
        api.pods.execIn(tmp.resolve("pod"));
        transport = new ExecOutputsTransport(api.newClient());
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void copy_nestedBinaryAndOddlyNamedFiles_arriveByteForByte() throws Exception {
        byte[] model = new byte[300_000];
        new Random(7).nextBytes(model);
        Files.write(podOutputs.resolve("model.bin"), model);
        Files.createDirectories(podOutputs.resolve("checkpoints"));
        Files.writeString(podOutputs.resolve("checkpoints/epoch 1.pt"), "weights of epoch 1\n");
        Files.writeString(podOutputs.resolve("it's \"quoted\".txt"), "odd name\n");
        // a name that reached a shell unquoted would be split or substituted, and then not found
        Files.writeString(podOutputs.resolve("two\nlines $(touch injected).txt"), "newline and a substitution in the name\n");
        Path agent = tmp.resolve("agent/outputs");

        transport.copy(NS, POD, TrainingJob.KEEPER, TrainingRun.OUTPUTS, agent);

        assertThat(Files.readAllBytes(agent.resolve("model.bin"))).isEqualTo(model);
        assertThat(agent.resolve("checkpoints/epoch 1.pt")).hasContent("weights of epoch 1");
        assertThat(agent.resolve("it's \"quoted\".txt")).hasContent("odd name");
        assertThat(agent.resolve("two\nlines $(touch injected).txt")).hasContent("newline and a substitution in the name");
        try (var files = Files.walk(agent)) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(4);
        }
        assertThat(api.pods.execs).hasSize(5);
        assertThat(api.pods.execs.get(0)).containsExactly("sh", "-c", "cd -- \"$1\" && find . -type f -print0", "sh", TrainingRun.OUTPUTS);
        assertThat(api.pods.execs.get(1)).startsWith("cat", "--");
    }

    /**
     * The folder is a real path here, not one mapped by {@link PodWebSockets#execMount}: the mapping rewrites the text
     * of the arguments, which would take the quote out before any shell saw it.
     */
    @Test
    void copy_outputsFolderWithAQuoteInItsName_listedAndCopied() throws Exception {
        Path podDir = Files.createDirectories(tmp.resolve("pod/it's outputs"));
        Files.writeString(podDir.resolve("model.pkl"), "model\n");
        Path agent = tmp.resolve("agent/outputs");

        transport.copy(NS, POD, TrainingJob.KEEPER, podDir.toString(), agent);

        assertThat(agent.resolve("model.pkl")).hasContent("model");
    }

    @Test
    void copy_fileGoneBetweenListingAndReading_namesItWithThePodsWordsAndLeavesNoPartialCopy() throws Exception {
        Files.writeString(podOutputs.resolve("model\nv2.pkl"), "model\n"); // a newline in the name: still one line in the message
        api.pods.beforeExec(command -> {
            if (String.join(" ", command).contains("model\nv2.pkl")) {
                try {
                    Files.delete(podOutputs.resolve("model\nv2.pkl"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        Path agent = tmp.resolve("agent/outputs");

        assertThatThrownBy(() -> transport.copy(NS, POD, TrainingJob.KEEPER, TrainingRun.OUTPUTS, agent))
                .isInstanceOf(OutputsTransport.Unavailable.class)
                .hasMessageStartingWith("reading " + TrainingRun.OUTPUTS + "/model\\nv2.pkl from pod " + NS + "/" + POD + " failed: ")
                .hasMessageContaining("cat exited 1")
                .hasMessageContaining("No such file or directory")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        try (var left = Files.walk(agent.getParent())) {
            assertThat(left.filter(Files::isRegularFile)).as("no partial copy on the agent").isEmpty();
        }
    }

    @Test
    void copy_emptyOutputs_copiesNothing() throws Exception {
        Path agent = tmp.resolve("agent/outputs");

        transport.copy(NS, POD, TrainingJob.KEEPER, TrainingRun.OUTPUTS, agent);

        assertThat(agent).doesNotExist();
        assertThat(api.pods.execs).hasSize(1);
    }

    @Test
    void copy_outputsFolderMissingInThePod_saysSoWithTheExitStatus() throws Exception {
        Files.delete(podOutputs);

        assertThatThrownBy(() -> transport.copy(NS, POD, TrainingJob.KEEPER, TrainingRun.OUTPUTS, tmp.resolve("agent")))
                .isInstanceOf(OutputsTransport.Unavailable.class)
                .hasMessageStartingWith(TrainingRun.OUTPUTS + " cannot be listed in container " + TrainingJob.KEEPER + " of pod " + NS + "/" + POD
                        + " (exit 2: ")
                .hasMessageContaining("can't cd to");
    }

    @Test
    void release_createsTheFileTheKeeperWaitsFor() throws Exception {
        transport.release(NS, POD, TrainingJob.KEEPER);

        assertThat(releaseFile).exists();
        assertThat(api.pods.execs).containsExactly(List.of("touch", TrainingJob.RELEASE_FILE));
    }

    @Test
    void release_commandFails_exitStatusInTheMessage() throws Exception {
        api.pods.execMount(TrainingJob.RELEASE_FILE, tmp.resolve("no/such/folder/release"));

        assertThatThrownBy(() -> transport.release(NS, POD, TrainingJob.KEEPER))
                .isInstanceOf(OutputsTransport.Unavailable.class)
                .hasMessageStartingWith("touch " + TrainingJob.RELEASE_FILE + " exited 1: touch: cannot touch ")
                .hasMessageEndingWith("No such file or directory");
    }

    @Test
    void copy_execForbidden_oneLineNamingThePod() {
        api.pods.refuse(POD, 403);

        assertThatThrownBy(() -> transport.copy(NS, POD, TrainingJob.KEEPER, TrainingRun.OUTPUTS, tmp.resolve("agent")))
                .isInstanceOf(OutputsTransport.Unavailable.class)
                .hasMessage("exec sh -c cd -- \"$1\" && find . -type f -print0 sh " + TrainingRun.OUTPUTS + " in pod " + NS + "/" + POD
                        + " failed: the Kubernetes API forbids the kubeconfig's user to create pods/exec in namespace " + NS
                        + " (HTTP 403); grant it the role (e.g. edit in the namespace)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
