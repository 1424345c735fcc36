package io.powerai.cli;

import io.powerai.core.attest.Dsse;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The svm-moons example through snapshot, train and scoring-image on the real engine and registry with an Ed25519
 * key in POWERAI_SIGNING_KEY and Jenkins' BUILD_URL/JOB_NAME set: every image and the model get a signed provenance
 * whose subject is the digest the results recorded, the images an SBOM, and the audit records list each file by hash.
 * Then without a key: the statement is written unsigned and the result says so.
 */
class AttestationEndToEndTest {
    private static final String NAME = "attest-e2e";
    private static final String BUILD_URL = "https://ci.example.org/job/ml/job/attest/12/";

    @TempDir
    static Path tmp;
    static Path project;
    static KeyPair pair;
    static Path keyFile;

    @BeforeAll
    static void copyExampleAndMakeAKey() throws Exception {
        LocalInfrastructure.require();
        project = LocalInfrastructure.copyExample(tmp, NAME, LocalInfrastructure.freePort());
        pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        keyFile = tmp.resolve("signing-key.pem");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void signedStages_leaveSbomsAndVerifiableProvenance_listedInTheAuditLog() throws Exception {
        Map<String, String> env = Map.of("POWERAI_SIGNING_KEY", keyFile.toString(), "BUILD_URL", BUILD_URL, "JOB_NAME", "ml/attest");
        for (String stage : List.of("snapshot", "train", "scoring-image")) {
            CliRun run = CliRun.with(env, stage, project.toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
        }
        Path ws = project.resolve(".powerai");
        Map<String, Object> snapshot = Json.readObject(ws.resolve("amlEnvSnapshot.json"));
        Map<String, Object> training = Json.readObject(ws.resolve("gpuTrain.json"));
        Map<String, Object> scoring = Json.readObject(ws.resolve("scoringImage.json"));

        Map<String, Object> envStatement = openEnvelope(ws, "amlEnvSnapshot");
        assertThat(subjects(envStatement)).containsExactly(Map.of("name", "127.0.0.1:5000/" + NAME + "-env",
                "digest", Map.of("sha256", digestHex(snapshot.get("digest")))));
        Map<String, Object> modelStatement = openEnvelope(ws, "gpuTrain");
        @SuppressWarnings("unchecked")
        Map<String, String> outputs = (Map<String, String>) training.get("outputs");
        assertThat(subjects(modelStatement)).contains(Map.of("name", "outputs/model.pkl", "digest", Map.of("sha256", outputs.get("model.pkl"))));
        assertThat(Json.canonical(modelStatement)).contains("\"name\":\"code\"")
                .contains(String.valueOf(training.get("codeDigest"))).contains("\"script\"");
        Map<String, Object> scoreStatement = openEnvelope(ws, "scoringImage");
        assertThat(subjects(scoreStatement)).containsExactly(Map.of("name", "127.0.0.1:5000/" + NAME + "-score",
                "digest", Map.of("sha256", digestHex(scoring.get("digest")))));
        assertThat(Json.canonical(scoreStatement)).contains("\"id\":\"https://ci.example.org/job/ml/job/attest/\"")
                .contains(String.valueOf(scoring.get("modelSha256")));

        assertThat(Files.readString(ws.resolve("attestations/amlEnvSnapshot.cdx.json"))).contains("\"specVersion\" : \"1.5\"")
                .contains("pkg:deb/debian/").contains("pkg:pypi/");
        assertThat(Files.readString(ws.resolve("attestations/scoringImage.cdx.json"))).contains("machine-learning-model")
                .contains(String.valueOf(scoring.get("modelSha256")));

        // Each stage's audit record lists its attestation files with their SHA-256; the results say they are signed.
        List<String> records = Files.readAllLines(ws.resolve("audit.jsonl"), StandardCharsets.UTF_8);
        for (String stage : List.of("amlEnvSnapshot", "gpuTrain", "scoringImage")) {
            Map<String, Object> record = Json.parseObject(records.stream().filter(l -> l.contains("\"stage\":\"" + stage + "\"")).reduce((a, b) -> b).orElseThrow());
            Map<String, Object> attestations = map(map(record.get("details")).get("attestations"));
            assertThat(attestations).containsEntry("signed", true);
            Map<String, Object> files = map(attestations.get("files"));
            assertThat(files).containsKey("attestations/" + stage + ".dsse.json");
            files.forEach((file, sha) -> assertThat(Digests.sha256(ws.resolve(file))).as(file).isEqualTo(sha));
            Map<String, Object> result = Json.readObject(ws.resolve(stage + ".json"));
            assertThat(map(result.get("attestations"))).containsEntry("signed", true);
        }
        assertThat(CliRun.of("audit", "verify", project.toString()).exitCode()).isZero();
        Path publicKey = tmp.resolve("signing-key.pub.pem");
        Files.writeString(publicKey, io.powerai.core.attest.SigningKey.publicKeyPem(pair.getPublic()));
        Path otherKey = tmp.resolve("other.pub.pem");
        Files.writeString(otherKey, io.powerai.core.attest.SigningKey.publicKeyPem(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
        CliRun verified = CliRun.of("verify", project.toString(), "--key", publicKey.toString());
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("verify: amlEnvSnapshot: OK, signature OK", "verify: gpuTrain: OK", "verify: scoringImage: OK");
        CliRun wrongKey = CliRun.of("verify", project.toString(), "--key", otherKey.toString());
        assertThat(wrongKey.exitCode()).as(wrongKey.toString()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("verify: scoringImage: FAILED, scoringImage.dsse.json: no signature verifies with key");
        // In the registry: the scoring image verifies by itself, down its chain to the environment image.
        String scoringImage = String.valueOf(scoring.get("image"));
        CliRun fromRegistry = CliRun.of("verify", scoringImage, "--key", publicKey.toString());
        assertThat(fromRegistry.exitCode()).as(fromRegistry.toString()).isZero();
        assertThat(fromRegistry.out()).contains("verify: OK, " + scoringImage + " (signed by key " + io.powerai.core.attest.SigningKey.keyId(pair.getPublic()))
                .contains("model model.pkl sha256:" + scoring.get("modelSha256")).contains("-> environment " + snapshot.get("image"))
                .contains("built by " + BUILD_URL.substring(0, BUILD_URL.length() - "12/".length()));
        CliRun.of("verify", scoringImage, "--key", otherKey.toString()).assertOneLineError(1, "verify: FAILED, " + scoringImage + ": no signature verifies");
        CliRun withModel = CliRun.of("verify", scoringImage, "--key", publicKey.toString(), "--workspace", project.toString());
        assertThat(withModel.exitCode()).as(withModel.toString()).isZero();
        assertThat(withModel.out()).contains("(its provenance signed by key " + io.powerai.core.attest.SigningKey.keyId(pair.getPublic())
                + ", trained in that environment) -> environment " + snapshot.get("image"));

        // The deploy policy on the local target: the signed scoring image deploys; the base image (no provenance) is refused
        // and the deployment stays as it was.
        Files.writeString(project.resolve("release.pub.pem"), Files.readString(publicKey));
        Files.writeString(project.resolve("powerai.yaml"), Files.readString(project.resolve("powerai.yaml"))
                + "  require_provenance: true\n  allowed_keys: [release.pub.pem]\n");
        try {
            CliRun deployed = CliRun.of("deploy", project.toString());
            assertThat(deployed.exitCode()).as(deployed.toString()).isZero();
            assertThat(deployed.out()).contains("aksDeploy: provenance verified: " + scoringImage);
            String serving = Json.readObject(ws.resolve("aksDeploy.json")).get("image").toString();
            CliRun.of("deploy", project.toString(), "--image", LocalInfrastructure.BASE_IMAGE).assertOneLineError(1,
                    "aksDeploy: refused to deploy " + LocalInfrastructure.BASE_IMAGE, "no provenance attestation in the registry", "nothing was deployed");
            assertThat(Json.readObject(ws.resolve("aksDeploy.json")).get("image")).isEqualTo(serving);
        } finally {
            LocalInfrastructure.run("docker", "rm", "-f", "powerai-" + NAME);
        }

        // The key is in no file the stages wrote.
        String keyText = Files.readString(keyFile).lines().skip(1).findFirst().orElseThrow();
        try (var walk = Files.walk(ws)) {
            for (Path f : walk.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".jsonl")).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain(keyText);
            }
        }

        // Without a key (and outside Jenkins): the statement is written unsigned, the envelope removed, the result says so.
        CliRun unsigned = CliRun.with(Map.of("POWERAI_SIGNING_KEY", "", "BUILD_URL", ""), "snapshot", project.toString());
        assertThat(unsigned.exitCode()).as(unsigned.toString()).isZero();
        assertThat(Files.exists(ws.resolve("attestations/amlEnvSnapshot.dsse.json"))).isFalse();
        Map<String, Object> bare = Json.readObject(ws.resolve("attestations/amlEnvSnapshot.intoto.json"));
        assertThat(Json.canonical(bare)).contains("urn:powerai:builder:local:");
        assertThat(map(Json.readObject(ws.resolve("amlEnvSnapshot.json")).get("attestations"))).containsEntry("signed", false);
        CliRun notSigned = CliRun.of("verify", project.toString(), "--key", publicKey.toString());
        assertThat(notSigned.exitCode()).as(notSigned.toString()).isEqualTo(1);
        assertThat(notSigned.err()).contains("verify: amlEnvSnapshot: FAILED, not signed");
        assertThat(notSigned.out()).contains("verify: scoringImage: OK");
    }

    @Test
    void aKeyFileThatIsNoKey_isInvalidInputInOneLine_namingTheVariable() throws Exception {
        Path notAKey = tmp.resolve("not-a-key.pem");
        Files.writeString(notAKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        CliRun.with(Map.of("POWERAI_SIGNING_KEY", notAKey.toString()), "snapshot", project.toString())
                .assertOneLineError(2, "POWERAI_SIGNING_KEY (" + notAKey + ")", "not an ECDSA P-256 or Ed25519 private key");
        CliRun.with(Map.of("POWERAI_SIGNING_KEY", tmp.resolve("missing.pem").toString()), "snapshot", project.toString())
                .assertOneLineError(2, "POWERAI_SIGNING_KEY", "no such file");
    }

    private static Map<String, Object> openEnvelope(Path ws, String stage) throws Exception {
        Dsse.Opened opened = Dsse.open(Json.readObject(ws.resolve("attestations/" + stage + ".dsse.json")), pair.getPublic());
        assertThat(opened.problem()).as(stage).isNull();
        Map<String, Object> statement = Json.parseObject(new String(opened.payload(), StandardCharsets.UTF_8));
        assertThat(statement).containsEntry("predicateType", "https://slsa.dev/provenance/v1");
        return statement;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> subjects(Map<String, Object> statement) {
        return (List<Map<String, Object>>) statement.get("subject");
    }

    private static String digestHex(Object digest) {
        return String.valueOf(digest).substring("sha256:".length());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
