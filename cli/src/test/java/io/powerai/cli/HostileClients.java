package io.powerai.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients that a scoring service on the internet meets (issue 14): raw requests sent as they are, and clients
 * that pipeline requests without ever reading the answers. For end-to-end tests against a running container.
 */
final class HostileClients {
    private HostileClients() {
    }

    /**
     * Sends {@code request} (each char one byte, ISO-8859-1) on a connection of its own and returns what came
     * back until the server closed it; fails when the server neither closes nor stops sending within 10 s (a hang).
     */
    static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException refusedEarly) {
                // the server may answer and close before it has read everything: its answer is still readable
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no close within 10 s after: " + answer.toString(StandardCharsets.ISO_8859_1), e);
            } catch (IOException reset) {
                // a reset after the answer: what came before it is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Opens {@code clients} connections, each sending {@code requests} pipelined GET /health requests from a
     * thread of its own and never reading; close the sockets returned when done.
     */
    static List<Socket> floodWithoutReading(int port, int clients, int requests) throws IOException {
        byte[] batch = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            sockets.add(socket);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < requests / 1000; i++) {
                        out.write(batch);
                    }
                } catch (IOException dropped) {
                    // the server dropped the client that took none of its answers: what the test wants
                }
            }, "flood-" + c);
            writer.setDaemon(true);
            writer.start();
        }
        return sockets;
    }
}
