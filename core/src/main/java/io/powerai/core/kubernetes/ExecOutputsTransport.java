package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
    /** For the listing and the release, which are quick; reading a file has no limit, as a large model takes long. */
    private static final Duration EXEC_TIMEOUT = Duration.ofMinutes(5);
    /** Paths travel as arguments of their own, never inside the script, so no name needs quoting. */
    private static final String LIST_FILES = "cd -- \"$1\" && find . -type f -print0";

    private final KubernetesClient client;

    public ExecOutputsTransport(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void copy(String namespace, String pod, String container, String remoteDir, Path into) throws Unavailable {
        ByteArrayOutputStream listing = new ByteArrayOutputStream();
        Finished listed = exec(namespace, pod, container, listing, "sh", "-c", LIST_FILES, "sh", remoteDir);
        if (listed.exit() != 0) {
            throw new Unavailable(remoteDir + " cannot be listed in container " + container + " of pod " + namespace + "/" + pod
                    + " (exit " + listed.exit() + listed.said() + ")", null);
        }
        // One file is copied at a time, through one file beside the outputs folder: a copy cut short never stands
        // under the outputs as if it were the pod's file.
        Path partial = into.toAbsolutePath().resolveSibling(into.getFileName() + ".copying");
        try {
            for (String relative : files(listing.toByteArray())) {
                copyFile(namespace, pod, container, remoteDir + "/" + relative, into.resolve(relative).normalize(), partial);
            }
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // only a leftover beside the outputs; the copy's own outcome is what matters
            }
        }
    }

    /**
     * Streams one file through {@code partial} (fabric8's own {@code file(path).read()} runs {@code sh -c "cat 'path'"}
     * but drops stderr, so a failure there could only say "non-zero exit code"); {@code target} appears only whole.
     */
    private void copyFile(String namespace, String pod, String container, String remoteFile, Path target, Path partial)
            throws Unavailable {
        String failed = "reading " + shown(remoteFile) + " from pod " + namespace + "/" + pod + " failed: ";
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod).inContainer(container)
                .redirectingOutput().writingError(err).exec("cat", "--", remoteFile)) {
            Files.createDirectories(partial.getParent());
            try {
                Files.copy(watch.getOutput(), partial, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // The stream fails when cat exits non-zero (then its exit status and stderr say why), when the
                // connection breaks, or when the local write fails (then the exception does).
                Integer exit = watch.exitCode().isDone() && !watch.exitCode().isCompletedExceptionally() ? watch.exitCode().join() : null;
                if (exit == null || exit == 0) {
                    throw new Unavailable(failed + KubeCalls.failure(e), e);
                }
            }
            Integer exit = watch.exitCode().get();
            if (exit == null || exit != 0) {
                throw new Unavailable(failed + (exit == null ? "the exec ended without an exit status"
                        : "cat exited " + exit + said(err)), null);
            }
            Files.createDirectories(target.getParent());
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | KubernetesClientException | ExecutionException e) {
            throw new Unavailable(failed + KubeCalls.podSubresourceFailure(e, "exec", namespace), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while copying the outputs", e);
        }
    }

    @Override
    public void release(String namespace, String pod, String container) throws Unavailable {
        Finished touched = exec(namespace, pod, container, new ByteArrayOutputStream(), "touch", TrainingJob.RELEASE_FILE);
        if (touched.exit() != 0) {
            throw new Unavailable("touch " + TrainingJob.RELEASE_FILE + " exited " + touched.exit() + touched.said(), null);
        }
    }

    /** How a quick command in the pod ended: its exit status, and what it said on stderr ({@link #said}). */
    private record Finished(int exit, String said) {
    }

    /** What a command wrote to stderr, as ": text" on one line, or nothing. */
    private static String said(ByteArrayOutputStream err) {
        String text = err.toString(StandardCharsets.UTF_8);
        return text.isBlank() ? "" : ": " + KubeCalls.oneLine(text);
    }

    private Finished exec(String namespace, String pod, String container, ByteArrayOutputStream out, String... command)
            throws Unavailable {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(pod).inContainer(container)
                .writingOutput(out).writingError(err).exec(command)) {
            // fabric8 writes the last of stdout and stderr before it completes the exit code
            Integer exit = watch.exitCode().get(EXEC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Finished(exit == null ? -1 : exit, said(err));
        } catch (KubernetesClientException | ExecutionException | TimeoutException e) {
            throw new Unavailable("exec " + String.join(" ", command) + " in pod " + namespace + "/" + pod + " failed: "
                    + KubeCalls.podSubresourceFailure(e, "exec", namespace) + said(err), e);
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
                throw new Unavailable("the pod listed an output path outside its outputs folder: '" + shown(entry) + "'", null);
            }
            out.add(relative);
        }
        return out;
    }

    /** A path as a message shows it: on one line, a control character (a name may hold a newline) as its escape. */
    static String shown(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (char c : path.toCharArray()) {
            if (c == '\n') {
                out.append("\\n");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
