package io.powerai.core.process;

import io.powerai.core.lifecycle.Cancellation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** An aborted run kills the programs it started, with their children (a native training, a build, a push). */
class ProcessRunnerAbortTest {
    @Test
    void abort_killsTheRunningProgramAndItsChildren_atOnce() throws Exception {
        Cancellation cancellation = new Cancellation();
        ProcessRunner runner = new ProcessRunner(Map.of(), cancellation);
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<ProcessRunner.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(List.of("sh", "-c", "sleep 300 & echo child $!; wait"), null, Duration.ofMinutes(10), lines::add);
            } catch (ProcessRunner.NotStarted e) {
                throw new AssertionError(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (lines.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(lines).hasSize(1);
        long child = Long.parseLong(lines.get(0).replace("child ", ""));

        long started = System.nanoTime();
        assertThat(cancellation.abort("SIGTERM")).isEmpty();
        ProcessRunner.Result result = run.get(10, TimeUnit.SECONDS);
        assertThat(result.exitCode()).isNotZero();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(10);
        assertThat(gone(child, 5)).as("the child is gone too").isTrue();
    }

    /** Ended within {@code seconds}: no such process, or a zombie whose parent (killed too) can no longer reap it. */
    private static boolean gone(long pid, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            java.nio.file.Path stat = java.nio.file.Path.of("/proc", String.valueOf(pid), "stat");
            try {
                String text = java.nio.file.Files.readString(stat);
                if (text.substring(text.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (java.io.IOException e) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    void afterTheAbort_theAbortsOwnCommandsStillRun() throws Exception {
        Cancellation cancellation = new Cancellation();
        cancellation.abort("SIGTERM");
        ProcessRunner.Result result = new ProcessRunner(Map.of(), cancellation).run(List.of("sh", "-c", "echo removed"), Duration.ofSeconds(30));
        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).containsExactly("removed");
    }
}
