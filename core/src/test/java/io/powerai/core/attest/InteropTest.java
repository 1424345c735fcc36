package io.powerai.core.attest;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * powerai's DSSE envelopes verified by Debian's own tools: interop/test_interop.py (pytest) checks them with
 * python3-cryptography and python3-securesystemslib, over a PAE it computes itself, for both key kinds, and each way
 * of being wrong (key, payload, subject digest, truncation, predicate type). Skips where Debian's python3 lacks
 * those packages, unless -Dpowerai.e2e=required (CI), where it fails instead: scripts/infra.sh installs them.
 */
class InteropTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path TESTS = Path.of("..", "interop").toAbsolutePath().normalize();

    @Test
    void debiansCryptographyAndSecuresystemslib_verifyPowerAisEnvelopes(@TempDir Path dir) throws Exception {
        requirePythonTools();
        byte[] model = "a model's bytes".getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, KeyPair> kind : Map.of("p256", TestKeys.p256(), "ed25519", TestKeys.ed25519()).entrySet()) {
            Path out = Files.createDirectories(dir.resolve(kind.getKey()));
            SigningKey key = TestKeys.signingKey(kind.getValue());
            Files.write(out.resolve("model.joblib"), model);
            Files.writeString(out.resolve("public.pem"), key.publicKeyPem());
            Files.writeString(out.resolve("other-public.pem"), SigningKey.publicKeyPem(TestKeys.p256().getPublic()));
            Provenance.Build build = new Provenance.Build("gpuTrain", Map.of("script", "train.py", "args", List.of("--epochs", "3")),
                    Map.of("backend", "container"), List.of(Provenance.Dependency.sha256("data", null, "dd".repeat(32))),
                    Instant.parse("2026-12-06T23:00:00Z"), Instant.parse("2026-12-06T23:01:00Z"));
            List<Provenance.Subject> subjects = List.of(new Provenance.Subject("outputs/model.joblib", Digests.sha256(model)));
            Path ws = Files.createDirectories(dir.resolve("ws-" + kind.getKey()));
            Attestor.unsigned(Builder.local("host", "user")).write(ws, build, subjects, null);
            Files.copy(ws.resolve("attestations/gpuTrain.intoto.json"), out.resolve("gpuTrain.intoto.json"));
            new Attestor(Builder.jenkins("demo", "https://ci.example.org/job/demo/3/"), key).write(ws, build, subjects, null);
            Files.copy(ws.resolve("attestations/gpuTrain.dsse.json"), out.resolve("gpuTrain.dsse.json"));

            Map<String, Object> unknown = new LinkedHashMap<>(Json.readObject(out.resolve("gpuTrain.intoto.json")));
            unknown.put("predicateType", "https://example.org/not-provenance/v0");
            Files.writeString(out.resolve("unknown-predicate.dsse.json"),
                    Json.pretty(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Json.canonicalBytes(unknown), key)));
        }
        ProcessBuilder pytest = new ProcessBuilder(PYTHON.toString(), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                TESTS.resolve("test_interop.py").toString())
                .directory(TESTS.toFile()).redirectErrorStream(true);
        pytest.environment().put("POWERAI_INTEROP_DIR", dir.toString());
        pytest.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = pytest.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).as(output).doesNotContain("skipped").contains("19 passed");
    }

    private static void requirePythonTools() throws Exception {
        boolean present = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c",
                "import cryptography, securesystemslib, pytest").redirectErrorStream(true).start().waitFor() == 0;
        String reason = PYTHON + " lacks python3-cryptography, python3-securesystemslib or python3-pytest (scripts/infra.sh installs them)";
        if (!present && "required".equals(System.getProperty("powerai.e2e"))) {
            throw new AssertionError(reason);
        }
        Assumptions.assumeTrue(present, reason);
    }
}
