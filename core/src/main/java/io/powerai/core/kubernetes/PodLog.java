package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Follows one container's log as {@code kubectl logs -f} does, handing each line on as it arrives (on a thread of
 * its own). A stream can break before the container ends (the API server restarts, the connection drops); then
 * {@link #finish} reads the whole log once more and hands on only the lines not seen yet, so no line is lost or
 * shown twice.
 * <p>
 * The stream is read through the client's own HTTP client (its credentials, its TLS) rather than fabric8's
 * {@code watchLog()}, which in 7.9 passes an error answer's body on as if it were the log: an API error must never
 * become a line of the training log.
 */
public final class PodLog {
    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final String container;
    private final Consumer<String> onLine;
    private final Thread reader;
    private volatile InputStream stream;
    private volatile boolean complete;
    private volatile String problem;
    /** Set once finish() is done: a reader that outlived it hands nothing more on (the log file is closed). */
    private volatile boolean finished;
    private long seen;

    private PodLog(KubernetesClient client, String namespace, String pod, String container, Consumer<String> onLine) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.container = container;
        this.onLine = onLine;
        this.reader = new Thread(this::read, "powerai-log-" + pod);
        this.reader.setDaemon(true);
    }

    /** Starts following the log of {@code container} in {@code pod}. */
    public static PodLog follow(KubernetesClient client, String namespace, String pod, String container, Consumer<String> onLine) {
        PodLog log = new PodLog(client, namespace, pod, container, onLine);
        log.reader.start();
        return log;
    }

    private void read() {
        try {
            String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + namespace + "/pods/"
                    + pod + "/log?pretty=false&container=" + container + "&follow=true";
            HttpResponse<InputStream> response = client.getHttpClient()
                    .sendAsync(client.getHttpClient().newHttpRequestBuilder().uri(url).build(), InputStream.class).get();
            stream = response.body();
            if (!response.isSuccessful()) {
                problem = "HTTP " + response.code() + " " + statusMessage(new String(stream.readNBytes(4096), StandardCharsets.UTF_8));
                stream.close();
                return;
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    hand(line);
                }
            }
            complete = true;
        } catch (IOException | RuntimeException | ExecutionException e) {
            // a reader thread must end quietly: what went wrong is reported by finish(), never as a stack trace
            problem = KubeCalls.oneLine(String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
    }

    /** The message of an API answer (a Status object), else its text. */
    private static String statusMessage(String body) {
        try {
            Status status = KubeYaml.SERIALIZATION.unmarshal(body, Status.class);
            if (status != null && status.getMessage() != null) {
                return KubeCalls.oneLine(status.getMessage());
            }
        } catch (RuntimeException notAStatus) {
            // shown as it came
        }
        return KubeCalls.oneLine(body);
    }

    private void hand(String line) {
        synchronized (this) {
            if (finished) {
                return;
            }
            seen++;
        }
        onLine.accept(line);
    }

    /**
     * Called once the container has ended: waits up to {@code drain} for the stream to end, then, if it broke or
     * is still open, reads the whole log and hands on what was missed. Returns null, or why the log may be
     * incomplete.
     */
    public String finish(Duration drain) {
        try {
            reader.join(drain.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (complete) {
            finished = true;
            return null;
        }
        InputStream open = stream;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // closing only stops the reader; the whole log is read again below
            }
        }
        try {
            reader.join(drain.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String whole;
        try {
            whole = client.pods().inNamespace(namespace).withName(pod).inContainer(container).getLog();
        } catch (KubernetesClientException e) {
            finished = true;
            return "the log of pod " + namespace + "/" + pod + " could not be read"
                    + (problem == null ? "" : " (" + problem + ")") + ": " + KubeCalls.oneLine(String.valueOf(e.getMessage()));
        }
        long skip;
        synchronized (this) {
            skip = seen;
        }
        try (BufferedReader in = new BufferedReader(new StringReader(whole == null ? "" : whole))) {
            long n = 0;
            for (String line; (line = in.readLine()) != null; ) {
                if (n++ >= skip) {
                    hand(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        } finally {
            finished = true;
        }
        return null;
    }
}
