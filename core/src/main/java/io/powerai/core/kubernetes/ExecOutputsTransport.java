package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Copies outputs through the API server's exec (as {@code kubectl exec} and {@code kubectl cp} do; the
 * {@code pods/exec} permission): {@code find} lists the files, each is read with {@code cat}. No tar on either side,
 * so no archive can write outside the outputs folder: every listed path is checked before it is written.
 * Needs a POSIX shell, {@code find} and {@code cat} in the image (any Debian-based image has them).
 */
public final class ExecOutputsTransport implements OutputsTransport {
    private static final Duration EXEC_TIMEOUT = Duration.ofMinutes(5);

    private final KubernetesClient client;

    public ExecOutputsTransport(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void copy(String namespace, String pod, String container, String remoteDir, Path into) throws Unavailable {
        ByteArrayOutputStream listing = new ByteArrayOutputStream();
        int exit = exec(namespace, pod, container, listing, "sh", "-c", "cd '" + remoteDir + "' && find . -type f -print0");
        if (exit != 0) {
            throw new Unavailable(remoteDir + " cannot be listed in container " + container + " of pod " + namespace + "/" + pod
                    + " (exit " + exit + ")", null);
        }
        for (String relative : files(listing.toByteArray())) {
            Path target = into.resolve(relative).normalize();
            try (InputStream in = client.pods().inNamespace(namespace).withName(pod).inContainer(container)
                    .file(remoteDir + "/" + relative).read()) {
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | KubernetesClientException e) {
                throw new Unavailable("reading " + remoteDir + "/" + relative + " from pod " + namespace + "/" + pod + " failed: "
                        + KubeCalls.failure(e), e);
            }
        }
    }

    @Override
    public void release(String namespace, String pod, String container) throws Unavailable {
        int exit = exec(namespace, pod, container, new ByteArrayOutputStream(), "touch", TrainingJob.RELEASE_FILE);
        if (exit != 0) {
            throw new Unavailable("touch " + TrainingJob.RELEASE_FILE + " exited " + exit, null);
        }
    }

    private int exec(String namespace, String pod, String container, ByteArrayOutputStream out, String... command) throws Unavailable {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod).inContainer(container)
                .writingOutput(out).writingError(err).exec(command)) {
            return watch.exitCode().get(EXEC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (KubernetesClientException | ExecutionException | TimeoutException e) {
            throw new Unavailable("exec " + String.join(" ", command) + " in pod " + namespace + "/" + pod + " failed: "
                    + KubeCalls.failure(e)
                    + (err.size() > 0 ? " (" + KubeCalls.oneLine(err.toString(StandardCharsets.UTF_8)) + ")" : ""), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while copying the outputs", e);
        }
    }

    /**
     * The relative paths of {@code find . -type f -print0}, checked: a path that is absolute or climbs out
     * ({@code ..}) is refused (a pod must not write outside the outputs folder on the agent).
     */
    static List<String> files(byte[] listing) throws Unavailable {
        List<String> out = new ArrayList<>();
        for (String entry : new String(listing, StandardCharsets.UTF_8).split("\0")) {
            if (entry.isEmpty()) {
                continue;
            }
            String relative = entry.startsWith("./") ? entry.substring(2) : entry;
            if (relative.isEmpty() || relative.startsWith("/") || List.of(relative.split("/")).contains("..")) {
                throw new Unavailable("the pod listed an output path outside its outputs folder: '" + entry + "'", null);
            }
            out.add(relative);
        }
        return out;
    }
}
