package io.powerai.cli;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.AttestationCheck;
import io.powerai.core.attest.ImageVerification;
import io.powerai.core.attest.PublicKeys;
import io.powerai.core.image.ImageReference;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.workspace.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code powerai verify DIR --key PUB}: each stage's signed provenance against the key and the workspace's artifacts.
 * {@code powerai verify IMAGE --key PUB...}: the image's provenance as the registry holds it next to the image, and
 * its chain (a scoring image's model and environment image).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "DIR: check the signed provenance of each stage in DIR/.powerai/attestations/: the DSSE signature with"
                + " the public key, the statement's types, and its subjects against the images and files the results recorded."
                + " IMAGE (a reference that is not a directory): fetch its provenance from the registry (tag sha256-<hex>.att)"
                + " and check the signature, that its subject is the image's digest, and the chain image -> model -> environment"
                + " image, whose own provenance must verify too. Exit 1 when something does not verify, 2 for bad input, 3 when"
                + " the registry is unreachable.")
final class VerifyCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR|IMAGE", description = "Workspace holding .powerai/ (default: .),"
            + " or an image reference (by tag or digest).")
    String target = ".";

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "A signer's public key (PEM, ECDSA P-256 or"
            + " Ed25519); repeat it to allow several (IMAGE: any one of them may have signed).")
    List<Path> keyFiles;

    @Option(names = "--workspace", paramLabel = "DIR", description = "IMAGE: also check the model's own provenance in"
            + " DIR/.powerai/attestations/gpuTrain.dsse.json (signed by one of the keys, naming the image's model by hash,"
            + " trained in the image's environment image).")
    Path workspace;

    @Override
    public Integer call() {
        PowerAiCommand top = (PowerAiCommand) commandSpec.root().userObject();
        List<PublicKey> keys = keyFiles.stream().map(f -> PublicKeys.fromFile(f, "verify: '--key' " + f)).toList();
        if (!Files.isDirectory(Path.of(target)) && looksLikeImage(target)) {
            return verifyImage(top, keys);
        }
        if (keys.size() != 1) {
            throw new PowerAiException.InvalidInput("verify: DIR takes one '--key'; got " + keys.size());
        }
        Workspace workspace = new Workspace(Path.of(target), Clock.systemUTC());
        List<AttestationCheck.Finding> findings = AttestationCheck.check(workspace.dir(), keys.get(0));
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

    /** A directory that does not exist, named like one ("./x", "x"), is still taken for a directory; anything with a registry, tag or digest is an image. */
    private static boolean looksLikeImage(String text) {
        return text.contains("@") || text.contains(":") || text.contains("/") && !text.startsWith(".") && !text.startsWith("/");
    }

    private int verifyImage(PowerAiCommand top, List<PublicKey> keys) {
        String registryName;
        try {
            registryName = ImageReference.parse(target).registry();
        } catch (IllegalArgumentException e) {
            throw new PowerAiException.InvalidInput("verify: IMAGE '" + target + "' is not an image reference: " + e.getMessage());
        }
        RegistryClient registry = PowerAiCommand.registryClient(top.environment, PowerAiCommand.registryAuth(top.environment,
                registryName, new io.powerai.core.process.ProcessRunner(PowerAiCommand.engineEnvironment(top.environment), top.cancellation)));
        Path modelProvenance = null;
        if (workspace != null) {
            modelProvenance = new Workspace(workspace, Clock.systemUTC()).dir().resolve("attestations/gpuTrain.dsse.json");
            if (!Files.isRegularFile(modelProvenance)) {
                throw new PowerAiException.InvalidInput("verify: '--workspace' " + workspace + " holds no signed model provenance ("
                        + modelProvenance + " is missing: run train with POWERAI_SIGNING_KEY)");
            }
        }
        ImageVerification.Verdict verdict = new ImageVerification(registry, keys).verify(target, "verify: IMAGE", modelProvenance);
        if (!verdict.ok()) {
            top.err.println("verify: FAILED, " + verdict.problem());
            return 1;
        }
        top.console.line("verify: OK, " + describe(verdict));
        return 0;
    }

    /** The chain as one line: each image with its signer, and the model between them. */
    static String describe(ImageVerification.Verdict verdict) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < verdict.chain().size(); i++) {
            ImageVerification.Link link = verdict.chain().get(i);
            if (i > 0) {
                out.append(" -> ");
            }
            if (i == 1 && verdict.modelSha256() != null) {
                out.append("model ").append(verdict.modelPath() == null ? "" : verdict.modelPath() + " ").append("sha256:")
                        .append(verdict.modelSha256());
                if (verdict.modelKeyId() != null) {
                    out.append(" (its provenance signed by key ").append(verdict.modelKeyId()).append(", trained in that environment)");
                }
                out.append(" -> environment ");
            }
            out.append(link.image()).append(" (signed by key ").append(link.keyId()).append(", built by ")
                    .append(link.builder()).append(')');
        }
        return out.toString();
    }
}
