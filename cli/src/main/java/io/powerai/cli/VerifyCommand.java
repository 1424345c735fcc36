package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.AttestationCheck;
import io.powerai.core.attest.SigningKey;
import io.powerai.core.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code powerai verify DIR --key PUB}: each stage's signed provenance against the key and the workspace's artifacts. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the signed provenance of each stage in DIR/.powerai/attestations/: the DSSE signature with the"
                + " public key, the statement's types, and its subjects against the images and files the results recorded"
                + " (exit 1 when one fails).")
final class VerifyCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Workspace holding .powerai/ (default: .).")
    Path dir = Path.of(".");

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "The signer's public key (PEM, ECDSA P-256 or Ed25519).")
    Path keyFile;

    @Override
    public Integer call() {
        PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
        PublicKey key = readKey();
        Workspace workspace = new Workspace(dir, Clock.systemUTC());
        List<AttestationCheck.Finding> findings = AttestationCheck.check(workspace.dir(), key);
        if (findings.isEmpty()) {
            throw new PowerAiException.InvalidInput("verify: no stage result in " + workspace.dir() + " (run a stage first)");
        }
        boolean ok = true;
        for (AttestationCheck.Finding f : findings) {
            if (f.ok()) {
                top.console.line("verify: " + f.stage() + ": OK, " + f.message());
            } else {
                top.err.println("verify: " + f.stage() + ": FAILED, " + f.message());
                ok = false;
            }
        }
        return ok ? 0 : 1;
    }

    private PublicKey readKey() {
        String source = "verify: '--key' " + keyFile;
        try {
            return SigningKey.publicKeyFromPem(Files.readString(keyFile, StandardCharsets.US_ASCII), source);
        } catch (IOException e) {
            throw new PowerAiException.InvalidInput(source + " must be a readable PEM public key file; cannot read it ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
