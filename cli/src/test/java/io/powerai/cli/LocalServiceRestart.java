package io.powerai.cli;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local deployment is restarted by its engine when the scoring server exits, as Kubernetes restarts a pod's
 * container: the check makes the server inside the container exit, and waits for the service to answer again.
 */
final class LocalServiceRestart {
    private LocalServiceRestart() {
    }

    /**
     * Sends SIGTERM to the container's main process (the scoring server's master, PID 1: it stops its workers
     * and exits), then waits for the engine to have restarted the container and for {@code url} to answer
     * {@code body} with 200 again.
     */
    static void exitServerAndAwaitAnswer(String engine, String container, String url, String body) throws Exception {
        String before = inspect(engine, container, "{{.RestartCount}}");
        String exec = output(engine, "exec", container, "python3", "-c", "import os, signal; os.kill(1, signal.SIGTERM)");
        assertThat(exec).as(engine + " exec").isEmpty();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (inspect(engine, container, "{{.RestartCount}}").equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(inspect(engine, container, "{{.RestartCount}}")).as("restarts of " + container).isNotEqualTo(before);
        HttpResponse<String> answer = null;
        while (System.nanoTime() < deadline) {
            try {
                answer = LocalInfrastructure.post(url, body);
                if (answer.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // the server is starting again
            }
            Thread.sleep(200);
        }
        assertThat(answer).as("an answer from the restarted service").isNotNull();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(output(engine, "logs", container)).contains("\"event\": \"stopped\"");
    }

    private static String inspect(String engine, String container, String format) throws Exception {
        return output(engine, "inspect", "--format", format, container).strip();
    }

    private static String output(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
