package io.powerai.cli;

import io.powerai.core.json.Json;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of a real Jupyter server, written from the protocols, not from Jupyter's code: the REST API
 * ({@code /api/status}, {@code /api/kernels}) and the kernel messaging protocol v5 as JSON text frames over
 * {@code /api/kernels/ID/channels} (java.net.http's WebSocket).
 */
final class JupyterClient {
    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).cookieHandler(new CookieManager()).build();

    /** @param token null for a client that does not know it */
    JupyterClient(String base, String token) {
        this.base = base.endsWith("/") ? base : base + "/";
        this.token = token;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(builder::header);
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of a cookie the server set, or null. */
    String cookie(String name) {
        return ((CookieManager) http.cookieHandler().orElseThrow()).getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals(name)).map(java.net.HttpCookie::getValue).findFirst().orElse(null);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            builder.header("Authorization", "token " + token);
        }
        return builder;
    }

    /**
     * Starts a kernel for the notebook at {@code notebookPath} (relative to the server's folder) as the notebook UI does,
     * through a session: the kernel runs in the notebook's folder. Returns the kernel's id.
     */
    String startKernel(String notebookPath) throws IOException, InterruptedException {
        HttpResponse<String> response = post("api/sessions", Json.canonical(Map.of("path", notebookPath, "type", "notebook",
                "name", notebookPath, "kernel", Map.of("name", "python3"))), Map.of());
        if (response.statusCode() != 201) {
            throw new AssertionError("starting a kernel: " + response.statusCode() + " " + response.body());
        }
        return String.valueOf(((Map<?, ?>) Json.parseObject(response.body()).get("kernel")).get("id"));
    }

    void deleteKernel(String id) throws IOException, InterruptedException {
        http.send(request("api/kernels/" + id).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    /** What one execute_request came back with: the reply's status, the stream text, the error if any. */
    record Execution(String status, String stdout, String stderr, String error) {
    }

    /** Sends {@code code} to the kernel's shell channel and waits for its reply and for the kernel to be idle again. */
    Execution execute(String kernelId, String code, Duration timeout) throws Exception {
        BlockingQueue<Map<String, Object>> messages = new LinkedBlockingQueue<>();
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (token != null) {
            builder.header("Authorization", "token " + token);
        }
        WebSocket socket = builder.buildAsync(URI.create(base.replaceFirst("^http", "ws") + "api/kernels/" + kernelId + "/channels"),
                new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                messages.add(Json.parseObject(text.toString()));
                            } catch (IOException e) {
                                messages.add(Map.of("unparsable", text.toString()));
                            }
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        String session = UUID.randomUUID().toString();
        String msgId = UUID.randomUUID().toString();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("msg_id", msgId);
        header.put("username", "powerai-test");
        header.put("session", session);
        header.put("msg_type", "execute_request");
        header.put("version", "5.3");
        header.put("date", Instant.now().toString());
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("code", code);
        content.put("silent", false);
        content.put("store_history", false);
        content.put("user_expressions", Map.of());
        content.put("allow_stdin", false);
        content.put("stop_on_error", true);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("header", header);
        message.put("parent_header", Map.of());
        message.put("metadata", Map.of());
        message.put("content", content);
        message.put("channel", "shell");
        message.put("buffers", List.of());
        socket.sendText(Json.canonical(message), true).get(10, TimeUnit.SECONDS);

        String status = null;
        boolean idle = false;
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        List<String> errors = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((status == null || !idle) && System.nanoTime() < deadline) {
            Map<String, Object> m = messages.poll(1, TimeUnit.SECONDS);
            if (m == null || !(m.get("parent_header") instanceof Map<?, ?> parent) || !msgId.equals(parent.get("msg_id"))) {
                continue;
            }
            String type = String.valueOf(((Map<?, ?>) m.get("header")).get("msg_type"));
            Map<?, ?> c = (Map<?, ?>) m.get("content");
            switch (type) {
                case "execute_reply" -> status = String.valueOf(c.get("status"));
                case "stream" -> ("stderr".equals(c.get("name")) ? stderr : stdout).append(c.get("text"));
                case "error" -> errors.add(c.get("ename") + ": " + c.get("evalue"));
                case "status" -> idle = "idle".equals(c.get("execution_state"));
                default -> { }
            }
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        if (status == null) {
            throw new AssertionError("no execute_reply within " + timeout + "; stdout: " + stdout + " stderr: " + stderr);
        }
        return new Execution(status, stdout.toString(), stderr.toString(), errors.isEmpty() ? null : String.join("; ", errors));
    }
}
