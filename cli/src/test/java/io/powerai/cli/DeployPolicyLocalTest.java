package io.powerai.cli;

import io.powerai.core.attest.SigningKey;
import io.powerai.core.image.ImageReference;
import io.powerai.core.registry.RegistryClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deploy policy on the local target with the real docker engine and registry: with
 * {@code deploy.require_provenance: true}, an image whose provenance is unsigned is refused in one line with exit 1
 * before anything is started (no container, no result); once its provenance is signed by an allowed key (and its
 * environment image's too) it deploys and answers; the global setting's keys (POWERAI_ALLOWED_KEYS) replace the
 * project's, so a signer only the project allows is refused then, and the serving container is left as it was.
 */
class DeployPolicyLocalTest {
    private final String name = "policy-" + UUID.randomUUID().toString().substring(0, 8);
    private final String repository = LocalInfrastructure.REGISTRY + "/attest-" + name;
    private final String image = repository + "/score:1";

    @TempDir
    Path project;

    @AfterEach
    void cleanUp() {
        LocalInfrastructure.run("docker", "rm", "-f", "powerai-" + name);
        LocalInfrastructure.run("docker", "rmi", "-f", image);
    }

    @Test
    void unsignedImageRefused_beforeAnythingStarts_signedOneDeploys() throws Exception {
        LocalInfrastructure.require();
        KeyPair release = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair admin = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.createDirectories(project.resolve("keys"));
        Files.writeString(project.resolve("keys/release.pub.pem"), SigningKey.publicKeyPem(release.getPublic()));
        int port = LocalInfrastructure.freePort();
        Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy:\n  target: local\n  port: " + port
                + "\n  metrics_port: " + LocalInfrastructure.freePort()
                + "\n  require_provenance: true\n  allowed_keys: [keys/release.pub.pem]\n");
        ImageReference scoring = buildAndPush();
        ImageReference environment = RegistryAttestationsTest.pushImage(repository + "/env:1", "environment of " + name);
        Path ws = Files.createDirectories(project.resolve("attest-ws/.powerai"));
        RegistryAttestationsTest.attest(ws, "amlEnvSnapshot", environment, List.of(), RegistryAttestationsTest.signer(release), false);
        RegistryAttestationsTest.attest(ws, "scoringImage", scoring, RegistryAttestationsTest.scoringDeps(environment), null, true);
        Map<String, String> env = Map.of("POWERAI_ENGINE", "docker");

        CliRun.with(env, "deploy", "--image", image, project.toString()).assertOneLineError(1,
                "aksDeploy: refused to deploy " + image + ": " + scoring + ": the provenance is not signed",
                "keys allowed by deploy.allowed_keys", "nothing was deployed");
        assertThat(containerExists()).as("a refused deploy starts nothing").isFalse();
        assertThat(project.resolve(".powerai/aksDeploy.json")).doesNotExist();

        RegistryAttestationsTest.attest(ws, "scoringImage", scoring, RegistryAttestationsTest.scoringDeps(environment),
                RegistryAttestationsTest.signer(release), true);
        CliRun deployed = CliRun.with(env, "deploy", "--image", image, project.toString());
        assertThat(deployed.exitCode()).as(deployed.toString()).isZero();
        assertThat(deployed.out()).contains("aksDeploy: provenance verified: " + scoring + " (signed by key "
                + SigningKey.keyId(release.getPublic()));
        HttpResponse<String> answer = LocalInfrastructure.post("http://127.0.0.1:" + port + "/score", "{\"x\": 7}");
        assertThat(answer.body()).contains("\"echo\": 7");
        String containerBefore = inspect();

        // The administrator's keys replace the project's: the release key alone no longer passes, and nothing changes.
        CliRun refused = CliRun.with(Map.of("POWERAI_ENGINE", "docker", "POWERAI_ALLOWED_KEYS", SigningKey.publicKeyPem(admin.getPublic())),
                "deploy", "--image", image, project.toString());
        refused.assertOneLineError(1, "no signature verifies with key " + SigningKey.keyId(admin.getPublic()), "keys allowed by the global setting");
        assertThat(inspect()).isEqualTo(containerBefore);

        // Required without any key can never pass: invalid input.
        Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy: {target: local, port: " + port
                + ", require_provenance: true}\n");
        CliRun.with(env, "deploy", "--image", image, project.toString())
                .assertOneLineError(2, "'deploy.require_provenance' is true but no key is allowed");
        // The global setting requires it even where the project does not; a signed environment image is no scoring image.
        Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy: {target: local, port: " + port + "}\n");
        CliRun.with(Map.of("POWERAI_ENGINE", "docker", "POWERAI_REQUIRE_PROVENANCE", "true", "POWERAI_ALLOWED_KEYS",
                        SigningKey.publicKeyPem(release.getPublic())), "deploy", "--image", repository + "/env:1", project.toString())
                .assertOneLineError(1, "refused to deploy " + repository + "/env:1", "is not a scoring image (its provenance is of urn:powerai:buildtype:amlEnvSnapshot:v1)");
        assertThat(inspect()).isEqualTo(containerBefore);
    }

    /** The base image with powerai_server.py and an entry script that echoes x, pushed; by digest. */
    private ImageReference buildAndPush() throws Exception {
        Path context = Files.createDirectories(project.resolve("image"));
        Files.copy(LocalInfrastructure.repoRoot().resolve("scoring-server/powerai_server.py"), context.resolve("powerai_server.py"));
        Files.writeString(context.resolve("score.py"), "import json\ndef init():\n    pass\ndef run(raw_data):\n"
                + "    return {'echo': json.loads(raw_data)['x']}\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM " + LocalInfrastructure.BASE_IMAGE + "\n"
                + "COPY powerai_server.py score.py /app/\nWORKDIR /app\n"
                + "ENV AZUREML_ENTRY_SCRIPT=/app/score.py POWERAI_SERVER=builtin WORKER_COUNT=1 PYTHONUNBUFFERED=1\n"
                + "CMD [\"python3\", \"/app/powerai_server.py\"]\n");
        assertThat(command("docker", "build", "-q", "-t", image, context.toString())).isZero();
        assertThat(command("docker", "push", image)).isZero();
        return ImageReference.parse(image).pinned(new RegistryClient().digest(ImageReference.parse(image)).orElseThrow());
    }

    private boolean containerExists() throws Exception {
        return command("docker", "inspect", "powerai-" + name) == 0;
    }

    /** The container's id, image and start time: what a deploy that changed nothing leaves as it was. */
    private String inspect() throws Exception {
        Process p = new ProcessBuilder("docker", "inspect", "-f", "{{.Id}} {{.Image}} {{.State.StartedAt}}", "powerai-" + name)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static int command(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
