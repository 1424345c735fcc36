package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kubelet's side of the API server's WebSocket subresources, for fabric8's mock API server (CRUD mode, which
 * answers neither): {@code pods/portforward} bridged to a real TCP server, and {@code pods/exec} run as a real
 * process. fabric8's client speaks its real protocols against it: the port-forward protocol (a channel byte before
 * each frame, data on channel 0, errors on 1, the port as the first frame of each channel) and the exec protocol
 * {@code v4.channel.k8s.io} (stdout on channel 1, stderr on 2, the Status with the exit code on 3). Every other
 * request goes to the CRUD dispatcher.
 */
public final class PodWebSockets extends KubernetesMixedDispatcher {
    private static final Pattern SUBRESOURCE = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/(portforward|exec)(\\?.*)?");

    /** Where a pod's forwarded port leads, by pod name. */
    private final Map<String, InetSocketAddress> forwards = new ConcurrentHashMap<>();
    /** Container paths (a prefix) and the local folders that stand in for them, for exec. */
    private final Map<String, Path> execMounts = new ConcurrentHashMap<>();
    /** Pod name to the HTTP status its subresource requests are refused with (as RBAC's 403). */
    private final Map<String, Integer> refusals = new ConcurrentHashMap<>();
    /** Pod name to a message sent on the port-forward error channel instead of bridging. */
    private final Map<String, String> forwardErrors = new ConcurrentHashMap<>();
    /** The argv of every exec, in order, as the client sent it (before mapping). */
    public final List<List<String>> execs = new CopyOnWriteArrayList<>();
    /** The pods port-forwarded to, in order. */
    public final List<String> forwarded = new CopyOnWriteArrayList<>();
    /** The container's working directory, where exec runs its commands; null: this JVM's. */
    private volatile Path execDirectory;
    /** What happens in the pod as each exec arrives, before its command runs (the argv as the client sent it). */
    private volatile Consumer<List<String>> beforeExec = command -> { };

    public PodWebSockets(Map<ServerRequest, Queue<ServerResponse>> responses) {
        super(responses);
    }

    /** Port-forwards to {@code pod} reach {@code target} (any port the client asks for). */
    public void forward(String pod, InetSocketAddress target) {
        forwards.put(pod, target);
    }

    /** Port-forwards to {@code pod} get {@code message} on the error channel, as when nothing listens in the pod. */
    public void forwardFails(String pod, String message) {
        forwardErrors.put(pod, message);
    }

    /** Exec runs the command here, with {@code containerPrefix} in its arguments replaced by {@code local}. */
    public void execMount(String containerPrefix, Path local) {
        execMounts.put(containerPrefix, local);
    }

    /** Exec runs its commands in {@code directory}, standing for the container's working directory. */
    public void execIn(Path directory) {
        execDirectory = directory;
    }

    /** {@code action} runs as each exec arrives, before its command: the pod changing under the client's feet. */
    public void beforeExec(Consumer<List<String>> action) {
        beforeExec = action;
    }

    /** Subresource requests for {@code pod} are refused with {@code status}, before any upgrade. */
    public void refuse(String pod, int status) {
        refusals.put(pod, status);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Matcher m = SUBRESOURCE.matcher(request.getPath());
        if (!m.matches()) {
            return super.dispatch(request);
        }
        String pod = m.group(2);
        Integer refused = refusals.get(pod);
        if (refused != null) {
            return new MockResponse().setResponseCode(refused).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"message\":\"pods \\\"" + pod + "\\\" is forbidden: cannot create resource pods/" + m.group(3) + "\","
                    + "\"reason\":\"Forbidden\",\"code\":" + refused + "}");
        }
        List<String[]> query = query(m.group(4));
        return m.group(3).equals("portforward")
                ? new MockResponse().withWebSocketUpgrade(new PortForward(pod, port(query)))
                : new MockResponse().withWebSocketUpgrade(new Exec(query.stream().filter(p -> p[0].equals("command")).map(p -> p[1]).toList()));
    }

    private static List<String[]> query(String query) {
        List<String[]> out = new ArrayList<>();
        if (query == null || query.length() < 2) {
            return out;
        }
        for (String pair : query.substring(1).split("&")) {
            int eq = pair.indexOf('=');
            out.add(new String[] {URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)});
        }
        return out;
    }

    private static int port(List<String[]> query) {
        return query.stream().filter(p -> p[0].equals("ports")).mapToInt(p -> Integer.parseInt(p[1])).findFirst().orElse(0);
    }

    /** One forwarded connection: frames from the client go to a real socket, and what it answers comes back. */
    private final class PortForward extends WebSocketListener {
        private final String pod;
        private final int port;
        private volatile Socket socket;

        PortForward(String pod, int port) {
            this.pod = pod;
            this.port = port;
        }

        @Override
        public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
            forwarded.add(pod);
            byte[] portBytes = {(byte) (port & 0xff), (byte) (port >> 8)};
            ws.send(frame(0, portBytes, portBytes.length));
            ws.send(frame(1, portBytes, portBytes.length));
            String error = forwardErrors.get(pod);
            InetSocketAddress target = forwards.get(pod);
            if (error != null || target == null) {
                byte[] text = (error != null ? error : "no forward set up for pod " + pod).getBytes(StandardCharsets.UTF_8);
                ws.send(frame(1, text, text.length));
                return;
            }
            try {
                socket = new Socket(target.getAddress(), target.getPort());
            } catch (IOException e) {
                byte[] text = ("connection refused: " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
                ws.send(frame(1, text, text.length));
                return;
            }
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = socket.getInputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        ws.send(frame(0, buffer, n));
                    }
                } catch (IOException e) {
                    // the client closed its side; nothing left to forward
                }
                ws.close(1000, "");
            }, "port-forward " + pod);
            pump.setDaemon(true);
            pump.start();
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            onMessage(ws, bytes.toByteArray());
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            if (bytes.length < 1 || bytes[0] != 0 || socket == null) {
                return; // only data for channel 0 is the client's to send
            }
            try {
                OutputStream out = socket.getOutputStream();
                out.write(bytes, 1, bytes.length - 1);
                out.flush();
            } catch (IOException e) {
                ws.close(1011, "write to the pod failed");
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            closeSocket();
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            closeSocket();
        }

        private void closeSocket() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** One exec: the command runs as a process here, its output and exit status sent on the protocol's channels. */
    private final class Exec extends WebSocketListener {
        private final List<String> command;

        Exec(List<String> command) {
            this.command = command;
        }

        @Override
        public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
            execs.add(command);
            Thread runner = new Thread(() -> run(ws), "exec " + command);
            runner.setDaemon(true);
            runner.start();
        }

        private void run(WebSocket ws) {
            beforeExec.accept(command);
            List<String> mapped = command.stream().map(this::mapped).toList();
            int exit;
            try {
                Process process = new ProcessBuilder(mapped).directory(execDirectory == null ? null : execDirectory.toFile()).start();
                process.getOutputStream().close();
                Thread err = new Thread(() -> pump(process.getErrorStream(), 2, ws));
                err.start();
                pump(process.getInputStream(), 1, ws);
                err.join();
                exit = process.waitFor();
            } catch (IOException e) {
                byte[] text = ("{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"exec failed: " + e.getMessage().replace("\"", "'")
                        + "\",\"reason\":\"InternalError\"}").getBytes(StandardCharsets.UTF_8);
                ws.send(frame(3, text, text.length));
                ws.close(1000, "");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            String status = exit == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                    : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: exit status "
                    + exit + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + exit + "\"}]}}";
            byte[] text = status.getBytes(StandardCharsets.UTF_8);
            ws.send(frame(3, text, text.length));
            ws.close(1000, "");
        }

        private String mapped(String argument) {
            String out = argument;
            for (Map.Entry<String, Path> mount : execMounts.entrySet()) {
                out = out.replace(mount.getKey(), mount.getValue().toString());
            }
            return out;
        }

        private void pump(InputStream in, int channel, WebSocket ws) {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    ws.send(frame(channel, buffer, n));
                }
            } catch (IOException e) {
                // the process ended
            }
        }
    }

    private static byte[] frame(int channel, byte[] data, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 1);
        out.write(channel);
        out.write(data, 0, length);
        return out.toByteArray();
    }
}
