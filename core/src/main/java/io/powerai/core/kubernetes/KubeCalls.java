package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Every call to the Kubernetes API goes through here: conflicts (409), throttling (429), server errors (5xx) and
 * lost connections are retried with bounded exponential backoff (the client's own retries are off, so this is
 * the only policy); any other answer ends the call at once with a message that says what was refused and why.
 * Unreachable or refusing clusters are {@link PowerAiException.InfrastructureUnavailable} (exit 3).
 */
public final class KubeCalls {
    private final String stage;
    private final String server;
    private final Backoff backoff;
    private final Timing timing;
    private final StageEvents events;

    public KubeCalls(String stage, String server, Backoff backoff, Timing timing, StageEvents events) {
        this.stage = stage;
        this.server = server;
        this.backoff = backoff;
        this.timing = timing;
        this.events = events;
    }

    public void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    public <T> T call(String what, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                boolean retryable = retryable(e);
                if (!retryable || attempt >= backoff.attempts()) {
                    throw translate(what, e, retryable ? attempt : 0);
                }
                Duration delay = backoff.delayAfter(attempt);
                events.warning(what + ": " + describe(e) + "; retrying in " + delay.toMillis() + " ms (attempt "
                        + (attempt + 1) + " of " + backoff.attempts() + ")");
                timing.pause(delay, stage, "retrying " + what);
            }
        }
    }

    /** 409 is a conflict that a new attempt may resolve, except AlreadyExists: a name taken stays taken. */
    public static boolean retryable(KubernetesClientException e) {
        int code = e.getCode();
        boolean alreadyExists = e.getStatus() != null && "AlreadyExists".equals(e.getStatus().getReason());
        return (code == 409 && !alreadyExists) || code == 429 || code >= 500 || (code <= 0 && connectionLost(e));
    }

    private static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private PowerAiException translate(String what, KubernetesClientException e, int attempts) {
        int code = e.getCode();
        String tries = attempts > 1 ? " (after " + attempts + " attempts)" : "";
        if (code <= 0) { // no HTTP answer at all
            if (connectionLost(e)) {
                return PowerAiException.InfrastructureUnavailable.bare("cannot reach the Kubernetes API at " + server
                        + tries + ": " + rootMessage(e) + " (check the cluster address in the kubeconfig, and the network)", e);
            }
            return PowerAiException.InfrastructureUnavailable.bare(what + " failed: " + rootMessage(e), e);
        }
        if (code == 401) {
            return PowerAiException.InfrastructureUnavailable.bare("the Kubernetes API at " + server
                    + " refused the credentials (HTTP 401) while trying to " + what + "; renew the kubeconfig or the service principal", e);
        }
        if (code == 403) {
            return PowerAiException.InfrastructureUnavailable.bare("the Kubernetes API at " + server
                    + " forbids the kubeconfig's user to " + what + " (HTTP 403): " + statusMessage(e)
                    + "; grant it the role (e.g. edit in the namespace)", e);
        }
        if (code >= 500 || code == 429) {
            return PowerAiException.InfrastructureUnavailable.bare("the Kubernetes API at " + server
                    + " kept failing to " + what + tries + ": HTTP " + code + " " + statusMessage(e), e);
        }
        if (code == 409 && retryable(e)) {
            return PowerAiException.StageFailed.bare(what + " kept conflicting with another change" + tries
                    + " (HTTP 409): " + statusMessage(e) + "; is another deployment of the same service running?", e);
        }
        return PowerAiException.StageFailed.bare("the Kubernetes API refused to " + what + " (HTTP " + code + "): "
                + statusMessage(e), e);
    }

    private static String describe(KubernetesClientException e) {
        return e.getCode() <= 0 ? "connection failed (" + rootMessage(e) + ")" : "HTTP " + e.getCode() + " " + statusMessage(e);
    }

    private static String statusMessage(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
            return oneLine(e.getStatus().getMessage());
        }
        return oneLine(String.valueOf(e.getMessage()));
    }

    /**
     * One line for a failed call of any kind (a request, an exec, a port-forward): the API's answer where it gave
     * one, else the root cause; fabric8's own wrapper message ("An error has occurred.") says nothing.
     */
    public static String failure(Throwable e) {
        return e instanceof KubernetesClientException k && k.getCode() > 0 ? "HTTP " + k.getCode() + " " + statusMessage(k) : rootMessage(e);
    }

    /**
     * One line for a failed exec or port-forward ({@code subresource} of a pod in {@code namespace}). The API server
     * refuses those on the WebSocket upgrade, where the client gets the HTTP status but not the Status body that
     * would say why: the status is all there is, so a 403 says which permission is missing.
     */
    public static String podSubresourceFailure(Throwable e, String subresource, String namespace) {
        int refused = refusedUpgrade(e);
        if (refused == 403) {
            return "the Kubernetes API forbids the kubeconfig's user to create pods/" + subresource + " in namespace " + namespace
                    + " (HTTP 403); grant it the role (e.g. edit in the namespace)";
        }
        if (refused > 0) {
            return "the Kubernetes API refused pods/" + subresource + " (HTTP " + refused + ")";
        }
        return failure(e);
    }

    private static int refusedUpgrade(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().code();
            }
        }
        return 0;
    }

    /** What went wrong with the connection, in words (the JDK's exceptions often carry no message). */
    public static String rootMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof java.net.http.HttpConnectTimeoutException || t instanceof java.net.SocketTimeoutException) {
                return "timed out";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed: " + oneLine(String.valueOf(t.getMessage()));
            }
            if (t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
                return "connection refused";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return oneLine(root.getMessage() != null ? root.getMessage() : "connection failed");
    }

    public static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
