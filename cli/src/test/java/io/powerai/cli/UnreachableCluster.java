package io.powerai.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig naming a cluster where nothing listens (a port opened and closed again), with a token never to be shown. */
record UnreachableCluster(Path kubeconfig, int port) {
    static final String TOKEN = "secret-token-value";

    static UnreachableCluster in(Path dir) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {token: %s}}]
                """.formatted(port, TOKEN));
        return new UnreachableCluster(kubeconfig, port);
    }
}
