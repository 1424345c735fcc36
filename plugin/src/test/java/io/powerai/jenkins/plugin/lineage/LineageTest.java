package io.powerai.jenkins.plugin.lineage;

import static io.powerai.jenkins.plugin.lineage.AuditFixture.ENDPOINT;
import static io.powerai.jenkins.plugin.lineage.AuditFixture.ENV_IMAGE;
import static io.powerai.jenkins.plugin.lineage.AuditFixture.MODEL_SHA;
import static io.powerai.jenkins.plugin.lineage.AuditFixture.SCORE_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.jenkins.plugin.lineage.ChainLink.Status;
import io.powerai.jenkins.plugin.lineage.LineageRecord.Trust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineageTest {
    @TempDir
    Path tmp;

    private AuditFixture fixture() {
        return new AuditFixture(tmp);
    }

    @Test
    void read_intactPipeline_verifiesAndLinksEnvironmentModelImageDeployment() {
        AuditFixture audit = fixture().fullPipeline();

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.isVerified()).isTrue();
        assertThat(lineage.getSummary()).isEqualTo("OK, 4 record(s)");
        assertThat(lineage.getProblem()).isNull();
        assertThat(lineage.getBrokenAt()).isNull();
        assertThat(lineage.getRecords()).extracting(LineageRecord::getSeq, LineageRecord::getStage, LineageRecord::getStatus, LineageRecord::getTrust)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "amlEnvSnapshot", "succeeded", Trust.VERIFIED),
                        org.assertj.core.groups.Tuple.tuple(2L, "gpuTrain", "succeeded", Trust.VERIFIED),
                        org.assertj.core.groups.Tuple.tuple(3L, "scoringImage", "succeeded", Trust.VERIFIED),
                        org.assertj.core.groups.Tuple.tuple(4L, "aksDeploy", "succeeded", Trust.VERIFIED));
        assertThat(lineage.getRecords().get(1).getInputs()).containsEntry("image", ENV_IMAGE).containsKeys("code", "data");
        assertThat(lineage.getRecords().get(1).getOutputs()).containsEntry("outputs/model.pkl", MODEL_SHA);

        assertThat(lineage.isChainComplete()).isTrue();
        assertThat(lineage.getChain()).extracting(ChainNode::getLabel, ChainNode::getSeq, ChainNode::getValue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Environment", 1L, ENV_IMAGE),
                org.assertj.core.groups.Tuple.tuple("Model", 2L, "outputs/model.pkl sha256:" + MODEL_SHA),
                org.assertj.core.groups.Tuple.tuple("Scoring image", 3L, SCORE_IMAGE),
                org.assertj.core.groups.Tuple.tuple("Deployment", 4L, ENDPOINT + " running " + SCORE_IMAGE));
        assertThat(lineage.getLinks()).extracting(ChainLink::getTitle, ChainLink::getStatus).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Environment \u2192 Model", Status.LINKED),
                org.assertj.core.groups.Tuple.tuple("Model \u2192 Scoring image", Status.LINKED),
                org.assertj.core.groups.Tuple.tuple("Scoring image \u2192 Deployment", Status.LINKED),
                org.assertj.core.groups.Tuple.tuple("Environment \u2192 Scoring image", Status.LINKED));
        assertThat(lineage.getLinks().get(1).getMessage())
                .isEqualTo("scoringImage #3 carries outputs/model.pkl (sha256 " + MODEL_SHA + "), an output of gpuTrain #2");
    }

    @Test
    void read_recordChangedByHand_failsAtThatRecordAndDistrustsTheRest() throws Exception {
        AuditFixture audit = fixture().fullPipeline();
        audit.tamper(2, "\"exitCode\":0", "\"exitCode\":1");

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.isVerified()).isFalse();
        assertThat(lineage.getBrokenAt()).isEqualTo(2);
        assertThat(lineage.getSummary())
                .isEqualTo("FAILED at record 2 (gpuTrain): content changed (its SHA-256 no longer matches the hash it carries)");
        assertThat(lineage.getRecords()).extracting(LineageRecord::getTrust)
                .containsExactly(Trust.VERIFIED, Trust.BROKEN, Trust.UNVERIFIED, Trust.UNVERIFIED);
    }

    @Test
    void read_lastRecordRemoved_isCaughtByTheHeadFile() throws Exception {
        AuditFixture audit = fixture().fullPipeline();
        audit.removeLast();

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.isVerified()).isFalse();
        assertThat(lineage.getProblem()).startsWith("record 4: removed");
        assertThat(lineage.getRecords()).hasSize(3).extracting(LineageRecord::getTrust).containsOnly(Trust.VERIFIED);
        assertThat(lineage.getChain().get(3).isPresent()).isFalse();
    }

    @Test
    void read_headFileMissing_isUnverified() throws Exception {
        AuditFixture audit = fixture().fullPipeline();
        Files.delete(audit.log.headFile());

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.isVerified()).isFalse();
        assertThat(lineage.getProblem()).contains("is missing (removed)");
        assertThat(lineage.getBrokenAt()).isNull();
        assertThat(lineage.getRecords()).extracting(LineageRecord::getTrust).containsOnly(Trust.UNVERIFIED);
    }

    @Test
    void read_lineThatIsNoLongerJson_isShownAsUnreadable() throws Exception {
        AuditFixture audit = fixture().fullPipeline();
        audit.tamper(3, "{\"details\"", "{{\"details\"");

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.getProblem()).isEqualTo("record 3: not valid JSON any more (the line was changed)");
        LineageRecord unreadable = lineage.getRecords().get(2);
        assertThat(unreadable.getStatus()).isEqualTo("unreadable");
        assertThat(unreadable.getTrust()).isEqualTo(Trust.BROKEN);
        assertThat(unreadable.getFailure()).isEqualTo("line 3 is not valid JSON");
        assertThat(lineage.getLinks().get(2).getStatus()).isEqualTo(Status.MISSING);
    }

    @Test
    void read_deployedImageNotBuiltByAnyScoringRecord_isAMismatch() {
        String other = "127.0.0.1:5000/someone-else@sha256:" + "d".repeat(64);
        AuditFixture audit = fixture().snapshot(ENV_IMAGE).train(ENV_IMAGE)
                .scoringImage(ENV_IMAGE, MODEL_SHA, "model.pkl", SCORE_IMAGE).deploy("succeeded", other);

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.isVerified()).isTrue();
        assertThat(lineage.isChainComplete()).isFalse();
        ChainLink link = lineage.getLinks().get(2);
        assertThat(link.getStatus()).isEqualTo(Status.MISMATCH);
        assertThat(link.getMessage()).isEqualTo("aksDeploy #4 runs " + other + ", which no earlier scoringImage record built");
    }

    @Test
    void read_scoringImageOnAnotherBaseThanTheTraining_isAMismatchOfTheSecondPath() {
        String otherEnv = "127.0.0.1:5000/svm-moons-env@sha256:" + "f".repeat(64);
        AuditFixture audit = fixture().snapshot(ENV_IMAGE).train(ENV_IMAGE)
                .scoringImage(otherEnv, MODEL_SHA, "model.pkl", SCORE_IMAGE).deploy("succeeded", SCORE_IMAGE);

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.getLinks()).extracting(ChainLink::getStatus)
                .containsExactly(Status.LINKED, Status.LINKED, Status.LINKED, Status.MISMATCH);
        assertThat(lineage.getLinks().get(3).getMessage()).contains("is built on " + otherEnv).contains("trained in " + ENV_IMAGE);
    }

    @Test
    void read_folderModel_isMatchedByTheCoresTreeDigest() {
        Map<String, String> modelFiles = Map.of("saved_model.pb", Digests.sha256("graph"), "variables/data", Digests.sha256("weights"));
        String treeSha = AuditFixture.treeDigest(modelFiles);
        AuditFixture audit = fixture().snapshot(ENV_IMAGE)
                .train("succeeded", ENV_IMAGE, Map.of("outputs/model/saved_model.pb", modelFiles.get("saved_model.pb"),
                        "outputs/model/variables/data", modelFiles.get("variables/data"), "outputs/metrics.json", Digests.sha256("{}")))
                .scoringImage(ENV_IMAGE, treeSha, "model", SCORE_IMAGE);

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.getLinks().get(1).getStatus()).isEqualTo(Status.LINKED);
        assertThat(lineage.getChain().get(1).getValue()).isEqualTo("outputs/model/ sha256:" + treeSha);
        assertThat(lineage.getLinks().get(2).getStatus()).isEqualTo(Status.NOT_RUN);
    }

    @Test
    void read_failedTrainingThenRetrain_chainUsesTheSucceededOneAndTheFailureIsListed() {
        AuditFixture audit = fixture().snapshot(ENV_IMAGE)
                .train("failed", ENV_IMAGE, Map.of())
                .train(ENV_IMAGE)
                .scoringImage(ENV_IMAGE, MODEL_SHA, "model.pkl", SCORE_IMAGE)
                .deploy("succeeded", SCORE_IMAGE);

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.getRecords().get(1).getFailure()).isEqualTo("the training script exited with code 1");
        assertThat(lineage.getChain().get(1).getSeq()).isEqualTo(3L);
        assertThat(lineage.isChainComplete()).isTrue();
    }

    @Test
    void read_rolledBackDeployment_chainEndsAtTheLastSucceededOne() {
        AuditFixture audit = fixture().fullPipeline().deploy("rolled-back", SCORE_IMAGE);

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.getChain().get(3).getSeq()).isEqualTo(4L);
        assertThat(lineage.getRecords().get(4).getStatus()).isEqualTo("rolled-back");
        assertThat(lineage.getRecords().get(4).getFailure()).isEqualTo("smoke test failed");
    }

    @Test
    void read_onlySnapshotAndTraining_laterStepsHaveNotRun() {
        AuditFixture audit = fixture().snapshot(ENV_IMAGE).train(ENV_IMAGE);

        Lineage lineage = Lineage.read(audit.file());

        assertThat(lineage.isVerified()).isTrue();
        assertThat(lineage.isChainComplete()).isFalse();
        assertThat(lineage.getLinks()).extracting(ChainLink::getStatus).containsExactly(Status.LINKED, Status.NOT_RUN, Status.NOT_RUN);
        assertThat(lineage.getChain().get(1).getValue()).isEqualTo("2 output file(s)");
    }

    @Test
    void read_trainingInAnImageNoSnapshotPushed_isMissing() {
        AuditFixture audit = fixture().train(ENV_IMAGE);

        ChainLink link = Lineage.read(audit.file()).getLinks().get(0);

        assertThat(link.getStatus()).isEqualTo(Status.MISSING);
        assertThat(link.getMessage()).endsWith("(there is no succeeded amlEnvSnapshot record before it)");
    }

    @Test
    void read_sameImageWithTagBesideTheDigest_stillLinks() {
        String tagged = ENV_IMAGE.replace("@sha256:", ":3f2a9c@sha256:");
        AuditFixture audit = fixture().snapshot(ENV_IMAGE).train(tagged);

        assertThat(Lineage.read(audit.file()).getLinks().get(0).getStatus()).isEqualTo(Status.LINKED);
    }

    @Test
    void read_noLogYet_isAnEmptyVerifiedTrail() {
        Lineage lineage = Lineage.read(tmp.resolve("absent/audit.jsonl"));

        assertThat(lineage.isEmpty()).isTrue();
        assertThat(lineage.isVerified()).isTrue();
        assertThat(lineage.getSummary()).isEqualTo("OK, 0 record(s)");
        assertThat(lineage.getChain()).noneMatch(ChainNode::isPresent);
    }

    @Test
    void toJson_isDeterministicAndCarriesVerificationChainAndRecords() throws Exception {
        AuditFixture audit = fixture().fullPipeline();
        audit.tamper(4, "\"target\":\"local\"", "\"target\":\"aks\"");

        String json = Lineage.read(audit.file()).toJson();

        assertThat(Lineage.read(audit.file()).getJson()).isEqualTo(json);
        Map<String, Object> parsed = Json.parseObject(json);
        assertThat(parsed).containsEntry("schemaVersion", 1);
        assertThat(parsed.get("verification")).isEqualTo(Map.of("ok", false, "records", 4,
                "problem", "record 4 (aksDeploy): content changed (its SHA-256 no longer matches the hash it carries)", "brokenAt", 4));
        @SuppressWarnings("unchecked")
        Map<String, Object> chain = (Map<String, Object>) parsed.get("chain");
        assertThat(chain).containsEntry("complete", true);
        assertThat((List<?>) chain.get("links")).hasSize(4);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) parsed.get("records");
        assertThat(records).extracting(r -> r.get("trust")).containsExactly("verified", "verified", "verified", "broken");
    }

    @Test
    void items_shortenDigestsForTheTable() {
        AuditFixture audit = fixture().fullPipeline();
        LineageRecord.Item image = Lineage.read(audit.file()).getRecords().get(0).getOutputItems().stream()
                .filter(i -> i.getName().equals("image")).findFirst().orElseThrow();

        assertThat(image.getValue()).isEqualTo(ENV_IMAGE);
        assertThat(image.getShortValue()).isEqualTo("127.0.0.1:5000/svm-moons-env@sha256:eeeeeeeeeeee\u2026");
        assertThat(Digest.shorten(MODEL_SHA)).isEqualTo(MODEL_SHA.substring(0, 12) + "\u2026");
        assertThat(Digest.shorten("http://x/score")).isEqualTo("http://x/score");
    }
}
