package io.powerai.core.lineage;

import io.powerai.core.lineage.LineageChain.Kind;
import io.powerai.core.lineage.LineageChain.LinkStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LineageChainTest {
    @TempDir
    Path temp;

    private static LinkStatus link(LineageChain chain, Kind from, Kind to) {
        return chain.links().stream().filter(l -> l.from() == from && l.to() == to).findFirst().orElseThrow().status();
    }

    @Test
    void read_aWholeRun_everyNodePresentAndDated_everyLinkMatches() {
        LineageChain chain = LineageChain.read(LineageFixture.SVM);

        assertThat(chain.nodes()).allMatch(LineageChain.Node::present);
        assertThat(chain.links()).allMatch(l -> l.status() == LinkStatus.LINKED);
        assertThat(chain.verification().ok()).isTrue();
        assertThat(chain.node(Kind.ENVIRONMENT).time()).isEqualTo("2026-12-06T22:42:27.167826735Z");
        assertThat(chain.node(Kind.MODEL).detail()).isEqualTo("model.pkl");
        assertThat(chain.node(Kind.MODEL).digest()).startsWith("8473bde5ef7d");
        assertThat(chain.node(Kind.MODEL).href()).isEqualTo("train/outputs/model.pkl");
        assertThat(chain.node(Kind.TRAINING).href()).isEqualTo("train/train.log");
        assertThat(chain.node(Kind.DEPLOYMENT).detail()).startsWith("http://127.0.0.1:").endsWith("/score");
    }

    @Test
    void read_aModelRetrainedAfterTheImage_showsTheModelLinkAsAMismatch() {
        Path dir = LineageFixture.copy(temp);
        LineageFixture.edit(dir, "gpuTrain", r -> r.put("outputs", java.util.Map.of("model.pkl", "ab".repeat(32))));

        LineageChain chain = LineageChain.read(dir);

        assertThat(link(chain, Kind.MODEL, Kind.IMAGE)).isEqualTo(LinkStatus.MISMATCH);
        assertThat(link(chain, Kind.IMAGE, Kind.DEPLOYMENT)).isEqualTo(LinkStatus.LINKED);
        assertThat(chain.node(Kind.MODEL).digest()).isEqualTo("ab".repeat(32));
    }

    @Test
    void read_aDeploymentOfAnotherImage_andATrainingInAnotherEnvironment_areMismatches() {
        Path dir = LineageFixture.copy(temp);
        LineageFixture.edit(dir, "aksDeploy", r -> r.put("image", "127.0.0.1:5000/other@sha256:" + "cd".repeat(32)));
        LineageFixture.edit(dir, "gpuTrain", r -> r.put("image", "127.0.0.1:5000/other-env@sha256:" + "ef".repeat(32)));

        LineageChain chain = LineageChain.read(dir);

        assertThat(link(chain, Kind.IMAGE, Kind.DEPLOYMENT)).isEqualTo(LinkStatus.MISMATCH);
        assertThat(link(chain, Kind.ENVIRONMENT, Kind.TRAINING)).isEqualTo(LinkStatus.MISMATCH);
    }

    @Test
    void read_onlyASnapshot_theRestIsNotRun() throws Exception {
        Path dir = LineageFixture.copy(temp);
        for (String stage : new String[] {"gpuTrain", "scoringImage", "aksDeploy"}) {
            Files.delete(dir.resolve(stage + ".json"));
        }

        LineageChain chain = LineageChain.read(dir);

        assertThat(chain.node(Kind.ENVIRONMENT).present()).isTrue();
        assertThat(chain.nodes().stream().filter(LineageChain.Node::present)).hasSize(1);
        assertThat(chain.links()).allMatch(l -> l.status() == LinkStatus.NOT_RUN);
    }

    @Test
    void read_hostileAndBrokenFiles_noLinkOutOfTheFolder_noException() throws Exception {
        Path dir = LineageFixture.copy(temp);
        LineageFixture.edit(dir, "scoringImage", r -> r.put("model", "../../../etc/passwd"));
        Files.writeString(dir.resolve("aksDeploy.json"), "{not json");
        Files.writeString(dir.resolve("audit.jsonl"), Files.readString(dir.resolve("audit.jsonl")).replace("svm", "SVM"));

        LineageChain chain = LineageChain.read(dir);

        assertThat(chain.node(Kind.MODEL).href()).isNull();
        assertThat(chain.node(Kind.DEPLOYMENT).present()).isFalse();
        assertThat(chain.verification().ok()).isFalse();
        assertThat(chain.verification().problem()).startsWith("record 1 (amlEnvSnapshot): content changed");
    }

    @Test
    void href_encodesAndRefuses() {
        assertThat(Href.of("../artifact/.powerai/", "train/outputs/my model#1.pkl")).isEqualTo("../artifact/.powerai/train/outputs/my%20model%231.pkl");
        assertThat(Href.of("", "javascript:alert(1)")).isNull();
        assertThat(Href.of("", "/etc/passwd")).isNull();
        assertThat(Href.of("", "a/../../b")).isNull();
    }
}
